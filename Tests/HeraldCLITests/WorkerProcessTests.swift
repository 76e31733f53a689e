import Foundation
import Testing
import HeraldCore
@_spi(StoreSQL) import HeraldStore
@_spi(StoreSQL) import HeraldTestSupport

/// `herald run` as a real process: kill -9 at random instants while it delivers, and the
/// systemd handshake (READY=1 … STOPPING=1 on `$NOTIFY_SOCKET`, SIGTERM → exit 0).
@Suite(.serialized) struct WorkerProcessTests {
    private func pause(_ microseconds: UInt32) async {
        try? await Task.sleep(for: .microseconds(Int(microseconds)))
    }

    /// A folder with a config whose `sms` channel posts to `gateway`, one service trigger
    /// every member qualifies for, and `members` members imported.
    private func prepare(_ folder: TemporaryDirectory, gateway: LoopbackGateway, members: Int,
                         dispatch: String = "max_attempts: 50, backoff: '1s', lease: '10s', shutdown_timeout: '5s'",
                         channel: String = "concurrency: 16", extra: String = "",
                         store: StoreLocation? = nil) async throws -> String {
        let config = try folder.write("herald.json5", """
            {
              \(store.map(StoreBackend.configEntry) ?? "store: { sqlite: \"h.db\" }"),
              evaluate_every: "1s",
              channels: { sms: { adapter: "http", url: "\(gateway.url)", timeout: "2s", \(channel) } },
              dispatch: { \(dispatch) },
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
        #expect(await Waiting.exit(of: importing, within: .seconds(60)), "import members did not finish in 60 s")
        #expect(importing.terminationStatus == 0)
        return config
    }

    private func launch(_ config: String, _ arguments: [String], folder: TemporaryDirectory,
                        environment: [String: String] = [:]) throws -> Process {
        try launchHerald(config: config, arguments, folder: folder, environment: environment)
    }

    /// kill -9 at random instants while 2,000 sends go out (16 in flight, 50 ms each, the
    /// default 4 attempts), then one worker to the end: every row sent, none lost or failed
    /// (rows claimed but never called go back uncharged); a key repeats only for a row whose
    /// lease was recovered with its call started.
    @Test(.timeLimit(.minutes(3)), arguments: StoreBackend.allCases)
    func killedWorkersLoseNothingAndRepeatOnlyWhatWasInFlight(_ backend: StoreBackend) async throws {
        let folder = try TemporaryDirectory()
        let gateway = try LoopbackGateway { _ in .status(200, body: #"{"message_id":"x"}"#, delay: 0.05) }
        let rows = 2000
        let concurrency = 16
        let location = try backend.makeLocation(in: folder)
        let config = try await prepare(folder, gateway: gateway, members: rows,
                                       dispatch: "backoff: '1s', lease: '10s', shutdown_timeout: '5s'", store: location)
        var generator = SystemRandomNumberGenerator()
        var kills = 0
        for _ in 0..<20 {
            let before = gateway.requests.count
            let worker = try launch(config, ["run"], folder: folder)
            // Killed while it delivers: once its first call is out (start-up, and the first
            // worker's evaluation, take longer on some backends), then at a random instant.
            _ = await Waiting.until(within: .seconds(20)) {
                gateway.requests.count > before || gateway.keyCounts.count >= rows
            }
            await pause(UInt32.random(in: 50_000...400_000, using: &generator))
            kill(worker.processIdentifier, SIGKILL)
            _ = await Waiting.exit(of: worker, within: .seconds(10))
            if worker.terminationReason == .uncaughtSignal { kills += 1 }
        }
        #expect(kills == 20)
        let sentMidway = gateway.keyCounts.count
        // The last worker runs until every row is final, then is stopped politely (once it
        // is ready: a SIGTERM before the process catches signals kills it, as it should).
        func readyLines() -> Int {
            ((try? String(contentsOfFile: folder.file("stderr.txt"), encoding: .utf8)) ?? "")
                .split(separator: "\n").count { $0.contains("event=service.ready") }
        }
        let readyBefore = readyLines()
        let last = try launch(config, ["run"], folder: folder)
        #expect(await Waiting.until(within: .seconds(30)) { readyLines() > readyBefore }, "the last worker was not ready in 30 s")
        let store = try StoreBackend.open(location, readOnly: true)
        func count(_ condition: String) throws -> Int64 {
            try store.database.scalarInteger("SELECT count(*) FROM outbox WHERE \(condition)") ?? 0
        }
        let settled = try await Waiting.until(within: .seconds(90)) {
            try count("status IN ('pending', 'sending')") == 0 && count("TRUE") == Int64(rows)
        }
        let open = try count("status IN ('pending', 'sending')")
        #expect(settled, "rows still open after 90 s: \(open) of \(rows)")
        kill(last.processIdentifier, SIGTERM)
        let stopped = await Waiting.exit(of: last, within: .seconds(30))
        // Its log's end says where a slow stop was (seen once on a loaded CI machine).
        let logTail = ((try? String(contentsOfFile: folder.file("stderr.txt"), encoding: .utf8)) ?? "")
            .split(separator: "\n").suffix(15).joined(separator: "\n")
        #expect(stopped, "the last worker did not stop within 30 s of SIGTERM; its log ends:\n\(logTail)")
        #expect(last.terminationReason == .exit && last.terminationStatus == 0)

        #expect(try count("TRUE") == Int64(rows))
        let failed = try count("status = 'failed'")
        #expect(try count("status = 'sent'") == Int64(rows), "failed: \(failed)")
        #expect(try store.database.scalarInteger("SELECT count(*) FROM occurrences") == Int64(rows))
        var outboxKeys: Set<String> = []
        let keys = try store.database.prepare("SELECT idempotency_key FROM outbox")
        while try keys.step() { outboxKeys.insert(keys.text(at: 0)!) }
        let seen = gateway.keyCounts
        #expect(Set(seen.keys) == outboxKeys)
        let duplicates = seen.values.reduce(0) { $0 + $1 - 1 }
        let lost = try store.database.scalarInteger("SELECT count(*) FROM delivery_attempts WHERE outcome = 'lost'") ?? 0
        // A key may repeat only for a row whose lease was recovered after its call started.
        let repeatedRowsWithoutLoss = try seen.filter { $0.value > 1 }.keys.filter { key in
            try store.database.scalarInteger("""
                SELECT count(*) FROM delivery_attempts a JOIN outbox o ON o.key = a.outbox_key
                WHERE o.idempotency_key = ? AND a.outcome = 'lost'
                """, .text(key)) == 0
        }
        #expect(repeatedRowsWithoutLoss.isEmpty)
        #expect(duplicates <= Int(lost))
        // Rows a killed worker had claimed but not called went back without an attempt spent.
        let log = try String(contentsOfFile: folder.file("stderr.txt"), encoding: .utf8)
        let returned = log.split(separator: "\n").filter { $0.contains("event=dispatch.leases_recovered") }
            .compactMap { $0.split(separator: " ").first { $0.hasPrefix("never_called=") }?.split(separator: "=").last }
            .compactMap { Int($0) }.reduce(0, +)
        #expect(returned > 0, "no claimed-but-never-called rows were returned uncharged")
        // Charged are calls in flight plus answers not yet recorded (the last ~10 ms): per kill,
        // about the channel's concurrency — never every claimed row.
        #expect(Int(lost) < kills * 2 * concurrency, "\(lost) lost attempts over \(kills) kills")
        print("crash test: \(kills) kills, \(rows) rows, \(sentMidway) keys seen before the last start, "
              + "\(duplicates) duplicate deliveries, \(lost) leases charged, \(returned) returned uncharged, "
              + "\(gateway.requests.count) requests")
    }

    /// `tail -F events.ndjson | herald ingest -` beside a delivering service: the ingest
    /// commits as lines arrive, so delivery never stalls behind its write lock, nothing is
    /// logged as an error, and no key is sent twice.
    @Test(.timeLimit(.minutes(2))) func aStreamingIngestDoesNotStallDelivery() async throws {
        let folder = try TemporaryDirectory()
        let gateway = try LoopbackGateway { _ in .status(200, body: #"{"message_id":"s"}"#, delay: 0.02) }
        // The rate limit keeps rows waiting for the whole ingest (300 rows at 25/s: 12 s).
        let config = try await prepare(folder, gateway: gateway, members: 300,
                                       channel: "concurrency: 4, rate_per_second: 25")
        let worker = try launch(config, ["run"], folder: folder)
        #expect(await Waiting.until(within: .seconds(30)) { gateway.requests.count >= 10 }, "delivery started within 30 s")
        let input = Pipe()
        let ingest = try launchHerald(config: config, ["ingest", "-"], folder: folder, stderrName: "ingest.txt",
                                      standardInput: input)
        let feedStart = ContinuousClock.now
        for index in 0..<18 {
            let line = #"{"id":"live-\#(index)","member_id":"C\#(index)","type":"login","at":"2026-03-01T10:00:00Z"}"# + "\n"
            try input.fileHandleForWriting.write(contentsOf: Data(line.utf8))
            try? await Task.sleep(for: .milliseconds(333))
        }
        let feedEnd = ContinuousClock.now
        try input.fileHandleForWriting.close()
        #expect(await Waiting.exit(of: ingest, within: .seconds(30)), "the ingest did not end within 30 s of its input")
        #expect(ingest.terminationStatus == 0)
        // Calls went on throughout the feed: no gap anywhere near the store's 5 s busy timeout
        // (a stall behind the ingest's lock); 2.5 s leaves room for a loaded machine.
        let during = gateway.requests.map(\.receivedAt).filter { $0 >= feedStart && $0 <= feedEnd }.sorted()
        let gaps = zip(during.dropFirst(), during).map { $0 - $1 }
        #expect(during.count >= 60, "\(during.count) calls during a 6-second feed at 25/s")
        #expect(gaps.allSatisfy { $0 < .seconds(2.5) }, "longest gap \(gaps.max() ?? .zero)")
        kill(worker.processIdentifier, SIGTERM)
        #expect(await Waiting.exit(of: worker, within: .seconds(30)), "the worker did not stop within 30 s of SIGTERM")
        let store = try SQLStore(readingAt: folder.file("h.db"))
        #expect(try store.database.scalarInteger("SELECT count(*) FROM events WHERE id LIKE 'live-%'") == 18)
        #expect(gateway.acceptedCounts.values.allSatisfy { $0 == 1 })
        let log = try String(contentsOfFile: folder.file("stderr.txt"), encoding: .utf8)
        #expect(!log.contains("level=error") && !log.contains("locked"), "\(log.split(separator: "\n").filter { $0.contains("error") || $0.contains("locked") })")
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
        #expect(await Waiting.until(within: .seconds(30)) { gateway.requests.count >= 5 || !worker.isRunning },
                "5 requests within 30 s")
        kill(worker.processIdentifier, SIGTERM)
        #expect(await Waiting.exit(of: worker, within: .seconds(30)), "the worker did not stop within 30 s of SIGTERM")
        #expect(worker.terminationReason == .exit && worker.terminationStatus == 0)
        var messages: [String] = []
        while let message = listener.receive(timeout: 1) { messages.append(message) }
        #expect(messages.contains { $0.contains("STOPPING=1") })
        let log = try String(contentsOfFile: folder.file("stderr.txt"), encoding: .utf8)
        #expect(log.contains("event=service.ready") && log.contains("event=service.stopped sent=5"))
        #expect(!log.contains("1390000000"))  // addresses never reach the log
    }

    /// `herald run --serve 127.0.0.1:0`: the worker answers the HTTP edge too (the port it got
    /// is in `serve.ready`), and SIGTERM stops both.
    @Test(.timeLimit(.minutes(1))) func theServiceAnswersTheEdgeWithServe() async throws {
        let folder = try TemporaryDirectory()
        let gateway = try LoopbackGateway()
        let config = try await prepare(folder, gateway: gateway, members: 2)
        let worker = try launch(config, ["run", "--serve", "127.0.0.1:0"], folder: folder)
        let listening = try #require(await servePort(loggedIn: folder), "serve.ready with its port within 30 s")
        #expect(RawHTTPClient.request(port: listening, "GET", "/healthz").status == 200)
        #expect(RawHTTPClient.request(port: listening, "GET", "/ZZZZZZZZZZZZ").status == 404)
        // /metrics: the worker's samples (published after its first evaluation), then the edge's.
        var metrics = ""
        let published = await Waiting.until(within: .seconds(30)) {
            metrics = RawHTTPClient.request(port: listening, "GET", "/metrics").text
            return metrics.contains("\nherald_evaluations_total ")
        }
        #expect(published, "no worker samples on /metrics within 30 s")
        #expect(metrics.contains("\nherald_edge_unknown_links_total 1\n"))
        kill(worker.processIdentifier, SIGTERM)
        #expect(await Waiting.exit(of: worker, within: .seconds(30)), "the worker did not stop within 30 s of SIGTERM")
        #expect(worker.terminationReason == .exit && worker.terminationStatus == 0)
        #expect(RawHTTPClient.request(port: listening, "GET", "/healthz", within: 2).status == nil, "the edge stopped too")
    }

    @Test func aBrokenConfigStopsStartUpBeforeReady() async throws {
        let folder = try TemporaryDirectory()
        let gateway = try LoopbackGateway()
        let config = try await prepare(folder, gateway: gateway, members: 1)
        try folder.write("Triggers/broken.json5", "{ id: 'broken', kind: 'birthday', channels: ['fax'], template: 't' }")
        let socketPath = folder.file("notify.sock")
        let listener = try DatagramListener(path: socketPath)
        let worker = try launch(config, ["run"], folder: folder, environment: ["NOTIFY_SOCKET": socketPath])
        #expect(await Waiting.exit(of: worker, within: .seconds(30)), "a broken config did not stop start-up within 30 s")
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
