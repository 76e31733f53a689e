import Foundation
import Testing
import HeraldCore
import HeraldStore
import HeraldTestSupport

/// `herald run` as a real process: kill -9 at random instants while it delivers, and the
/// systemd handshake (READY=1 … STOPPING=1 on `$NOTIFY_SOCKET`, SIGTERM → exit 0).
@Suite(.serialized) struct WorkerProcessTests {
    /// Waits for a process without blocking a thread of the (two-thread) test pool, which
    /// the in-process service tests need meanwhile.
    private func waitForExit(_ process: Process) async {
        while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
        process.waitUntilExit()
    }

    private func pause(_ microseconds: UInt32) async {
        try? await Task.sleep(for: .microseconds(Int(microseconds)))
    }

    /// A folder with a config whose `sms` channel posts to `gateway`, one service trigger
    /// every member qualifies for, and `members` members imported.
    private func prepare(_ folder: TemporaryDirectory, gateway: LoopbackGateway, members: Int, extra: String = "") async throws -> String {
        let config = try folder.write("herald.json5", """
            {
              store: { sqlite: "h.db" },
              evaluate_every: "1s",
              channels: { sms: { adapter: "http", url: "\(gateway.url)", timeout: "5s", concurrency: 16 } },
              dispatch: { max_attempts: 50, backoff: "1s", lease: "2s", shutdown_timeout: "5s" },
              \(extra)
            }
            """)
        try FileManager.default.createDirectory(atPath: folder.file("Triggers"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: folder.file("MessageTemplates/t"), withIntermediateDirectories: true)
        try folder.write("Triggers/silent.json5", """
            { id: "silent", kind: "inactivity", params: { days: 30 }, channels: ["sms"], template: "t", category: "service" }
            """)
        try folder.write("MessageTemplates/t/sms.zh-CN.txt", "【品牌】{{ member.id }}，您的账户有新消息")
        var csv = "id,phone,last_active_at\n"
        for index in 0..<members { csv += "C\(index),139\(String(index).leftPadded(to: 8)),2020-01-01\n" }
        let importing = try launch(config, ["import", "members", try folder.write("members.csv", csv)], folder: folder)
        await waitForExit(importing)
        #expect(importing.terminationStatus == 0)
        return config
    }

    private func launch(_ config: String, _ arguments: [String], folder: TemporaryDirectory,
                        environment: [String: String] = [:]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try heraldBinaryPath())
        process.arguments = ["--config", config] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        let log = folder.file("stderr.txt")
        if !FileManager.default.fileExists(atPath: log) { FileManager.default.createFile(atPath: log, contents: nil) }
        let handle = FileHandle(forWritingAtPath: log)
        handle?.seekToEndOfFile()
        process.standardError = handle
        try process.run()
        return process
    }

    @Test(.timeLimit(.minutes(4))) func killedWorkersLoseNothingAndRepeatOnlyWhatWasInFlight() async throws {
        let folder = try TemporaryDirectory()
        let gateway = try LoopbackGateway { _ in .status(200, body: #"{"message_id":"x"}"#, delay: 0.02) }
        let rows = 4000
        let config = try await prepare(folder, gateway: gateway, members: rows)
        var generator = SystemRandomNumberGenerator()
        var kills = 0
        for _ in 0..<20 {
            let worker = try launch(config, ["run"], folder: folder)
            await pause(UInt32.random(in: 150_000...900_000, using: &generator))
            kill(worker.processIdentifier, SIGKILL)
            await waitForExit(worker)
            if worker.terminationReason == .uncaughtSignal { kills += 1 }
        }
        #expect(kills == 20)
        let sentMidway = gateway.keyCounts.count
        // The last worker runs until every row is sent, then is stopped politely.
        let last = try launch(config, ["run"], folder: folder)
        let store = try MemberStore(readingAt: folder.file("h.db"))
        let deadline = Date() + 120
        while Date() < deadline, (try store.database.scalarInteger("SELECT count(*) FROM outbox WHERE status = 'sent'")) ?? 0 < rows {
            await pause(100_000)
        }
        kill(last.processIdentifier, SIGTERM)
        await waitForExit(last)
        #expect(last.terminationReason == .exit && last.terminationStatus == 0)

        #expect(try store.database.scalarInteger("SELECT count(*) FROM outbox") == Int64(rows))
        #expect(try store.database.scalarInteger("SELECT count(*) FROM outbox WHERE status = 'sent'") == Int64(rows))
        #expect(try store.database.scalarInteger("SELECT count(*) FROM occurrences") == Int64(rows))
        var outboxKeys: Set<String> = []
        let keys = try store.database.prepare("SELECT idempotency_key FROM outbox")
        while try keys.step() { outboxKeys.insert(keys.text(at: 0)!) }
        let seen = gateway.keyCounts
        #expect(Set(seen.keys) == outboxKeys)
        let duplicates = seen.values.reduce(0) { $0 + $1 - 1 }
        // A key may repeat only for a row whose lease ran out (in flight or claimed at a kill).
        let lost = try store.database.scalarInteger("SELECT count(*) FROM delivery_attempts WHERE outcome = 'lost'") ?? 0
        let repeatedRowsWithoutLoss = try seen.filter { $0.value > 1 }.keys.filter { key in
            try store.database.scalarInteger("""
                SELECT count(*) FROM delivery_attempts a JOIN outbox o ON o.key = a.outbox_key
                WHERE o.idempotency_key = ? AND a.outcome = 'lost'
                """, .text(key)) == 0
        }
        #expect(repeatedRowsWithoutLoss.isEmpty)
        #expect(duplicates <= Int(lost))
        print("crash test: \(kills) kills, \(rows) rows, \(sentMidway) keys seen before the last start, "
              + "\(duplicates) duplicate deliveries, \(lost) leases recovered, \(gateway.requests.count) requests")
    }

    @Test(.timeLimit(.minutes(1))) func theServiceTalksToSystemdAndStopsOnSIGTERM() async throws {
        let folder = try TemporaryDirectory()
        let gateway = try LoopbackGateway()
        let config = try await prepare(folder, gateway: gateway, members: 5)
        let socketPath = folder.file("notify.sock")
        let listener = try DatagramListener(path: socketPath)
        let worker = try launch(config, ["run"], folder: folder, environment: ["NOTIFY_SOCKET": socketPath])
        var ready: String?
        for _ in 0..<200 where ready == nil {
            ready = listener.receive(timeout: 0)
            await pause(100_000)
        }
        #expect(ready?.contains("READY=1") == true)
        while gateway.requests.count < 5 && worker.isRunning { await pause(20_000) }
        kill(worker.processIdentifier, SIGTERM)
        await waitForExit(worker)
        #expect(worker.terminationReason == .exit && worker.terminationStatus == 0)
        var messages: [String] = []
        while let message = listener.receive(timeout: 1) { messages.append(message) }
        #expect(messages.contains { $0.contains("STOPPING=1") })
        let log = try String(contentsOfFile: folder.file("stderr.txt"), encoding: .utf8)
        #expect(log.contains("event=service.ready") && log.contains("event=service.stopped sent=5"))
        #expect(!log.contains("1390000000"))  // addresses never reach the log
    }

    @Test func aBrokenConfigStopsStartUpBeforeReady() async throws {
        let folder = try TemporaryDirectory()
        let gateway = try LoopbackGateway()
        let config = try await prepare(folder, gateway: gateway, members: 1)
        try folder.write("Triggers/broken.json5", "{ id: 'broken', kind: 'birthday', channels: ['fax'], template: 't' }")
        let socketPath = folder.file("notify.sock")
        let listener = try DatagramListener(path: socketPath)
        let worker = try launch(config, ["run"], folder: folder, environment: ["NOTIFY_SOCKET": socketPath])
        await waitForExit(worker)
        #expect(worker.terminationStatus == 2)
        #expect(listener.receive(timeout: 0.5) == nil)
        let log = try String(contentsOfFile: folder.file("stderr.txt"), encoding: .utf8)
        #expect(log.contains("broken.json5:1:") && log.contains("fax"))
    }
}

/// A unix datagram socket standing in for systemd's notify socket.
private final class DatagramListener {
    let descriptor: Int32

    init(path: String) throws {
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8) + [0]) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else { throw CocoaError(.fileWriteUnknown) }
    }

    deinit { close(descriptor) }

    func receive(timeout: Double) -> String? {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, Int32(timeout * 1000)) > 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        return count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self) : nil
    }
}
