import Foundation
import Testing
import HeraldCore
@_spi(StoreSQL) import HeraldStore
@_spi(StoreSQL) import HeraldTestSupport

/// Several `herald run` processes on one PostgreSQL store (issue 16): they share the outbox
/// through `FOR UPDATE SKIP LOCKED` claims under leases, exactly one of them evaluates at a
/// time (the advisory lock), and they live through a database restart.
@Suite(.serialized) struct ScaleOutTests {
    /// A folder whose config stores in `location`, sends `sms` to `gateway`, and has one
    /// service trigger every one of `members` imported members qualifies for.
    private func prepare(_ folder: TemporaryDirectory, store location: StoreLocation, gateway: LoopbackGateway,
                         members: Int, dispatch: String = "backoff: '1s', lease: '10s', shutdown_timeout: '5s'",
                         evaluateEvery: String = "1s") async throws -> String {
        let config = try folder.write("herald.json5", """
            {
              \(StoreBackend.configEntry(location)),
              evaluate_every: "\(evaluateEvery)",
              channels: { sms: { adapter: "http", url: "\(gateway.url)", timeout: "5s", concurrency: 16 } },
              dispatch: { \(dispatch) },
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
        let importing = try launchHerald(config: config, ["import", "members", try folder.write("members.csv", csv)],
                                         folder: folder, stderrName: "import.txt")
        #expect(await Waiting.exit(of: importing, within: .seconds(120)), "import members did not finish in 120 s")
        #expect(importing.terminationStatus == 0)
        return config
    }

    private func count(_ store: SQLStore, _ condition: String) throws -> Int64 {
        try store.database.scalarInteger("SELECT count(*) FROM outbox WHERE \(condition)") ?? -1
    }

    /// Kills what is still running: a test that stops early (a thrown error, a failed
    /// `#require`) must not leave workers behind.
    private func killLeftovers(_ processes: [Process]) {
        for process in processes where process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    private func log(_ folder: TemporaryDirectory, _ name: String) -> String {
        (try? String(contentsOfFile: folder.file(name), encoding: .utf8)) ?? ""
    }

    /// Two and four workers deliver 10,000 rows to one gateway: every row sent, every key
    /// accepted exactly once, and only one of them ever evaluated.
    @Test(.timeLimit(.minutes(4)), arguments: [2, 4])
    func severalWorkersSendEveryRowOnce(workers: Int) async throws {
        let folder = try TemporaryDirectory()
        let location = try StoreBackend.postgres.makeLocation(in: folder)
        let gateway = try LoopbackGateway { _ in .status(200, body: #"{"message_id":"ok"}"#) }
        let rows = 10_000
        let config = try await prepare(folder, store: location, gateway: gateway, members: rows)
        let processes = try (0..<workers).map { index in
            try launchHerald(config: config, ["run"], folder: folder, stderrName: "worker-\(index).txt")
        }
        defer { killLeftovers(processes) }
        let store = try StoreBackend.open(location, readOnly: true)
        let settled = try await Waiting.until(within: .seconds(180)) {
            try count(store, "status = 'sent'") == Int64(rows)
        }
        let open = try count(store, "status <> 'sent'")
        for process in processes { kill(process.processIdentifier, SIGTERM) }
        for process in processes {
            #expect(await Waiting.exit(of: process, within: .seconds(30)), "a worker did not stop within 30 s of SIGTERM")
            #expect(process.terminationReason == .exit && process.terminationStatus == 0)
        }
        #expect(settled, "\(open) of \(rows) rows not sent after 180 s")
        #expect(try count(store, "TRUE") == Int64(rows))
        #expect(try store.database.scalarInteger("SELECT count(*) FROM occurrences") == Int64(rows))
        let accepted = gateway.acceptedCounts
        #expect(accepted.count == rows && accepted.values.allSatisfy { $0 == 1 },
                "\(accepted.values.filter { $0 > 1 }.count) keys accepted more than once")
        // One evaluator: the others stood by at every tick they tried.
        let logs = (0..<workers).map { log(folder, "worker-\($0).txt") }
        let planners = logs.filter { text in
            text.split(separator: "\n").contains { $0.contains("event=evaluation.done") && !$0.contains(" planned=0 ") }
        }
        #expect(planners.count == 1, "\(planners.count) workers planned sends")
        #expect(logs.filter { $0.contains("event=evaluation.standby") }.count == workers - 1)
        #expect(!logs.contains { $0.contains("level=error") }, "\(logs.joined())")
    }

    /// kill -9 of the evaluator in the middle of its first tick: the other worker takes over at
    /// its next tick, plans what is left, and nothing is planned twice.
    @Test(.timeLimit(.minutes(4))) func aKilledEvaluatorIsReplacedAndNothingIsPlannedTwice() async throws {
        let folder = try TemporaryDirectory()
        let location = try StoreBackend.postgres.makeLocation(in: folder)
        let gateway = try LoopbackGateway { _ in .status(200, body: #"{"message_id":"ok"}"#) }
        let rows = 20_000
        let config = try await prepare(folder, store: location, gateway: gateway, members: rows)
        let store = try StoreBackend.open(location, readOnly: true)
        let first = try launchHerald(config: config, ["run"], folder: folder, stderrName: "first.txt")
        defer { killLeftovers([first]) }
        // The first worker holds the lock once it has written some of its tick.
        let started = try await Waiting.until(within: .seconds(60)) { try count(store, "TRUE") > 0 }
        let second = try launchHerald(config: config, ["run"], folder: folder, stderrName: "second.txt")
        defer { killLeftovers([second]) }
        #expect(await Waiting.until(within: .seconds(30)) { log(folder, "second.txt").contains("evaluation.standby") },
                "the second worker did not stand by")
        let beforeKill = try count(store, "TRUE")
        kill(first.processIdentifier, SIGKILL)
        _ = await Waiting.exit(of: first, within: .seconds(10))
        #expect(started && beforeKill < Int64(rows), "the first tick ended (\(beforeKill) rows) before the kill")
        let planned = try await Waiting.until(within: .seconds(120)) { try count(store, "TRUE") == Int64(rows) }
        let sent = try await Waiting.until(within: .seconds(120)) { try count(store, "status = 'sent'") == Int64(rows) }
        kill(second.processIdentifier, SIGTERM)
        #expect(await Waiting.exit(of: second, within: .seconds(30)), "the second worker did not stop within 30 s")
        let plannedRows = try count(store, "TRUE"), sentRows = try count(store, "status = 'sent'")
        #expect(planned && sent, "\(plannedRows) planned, \(sentRows) sent")
        #expect(log(folder, "second.txt").contains("event=evaluation.took_over"))
        #expect(try store.database.scalarInteger("SELECT count(*) FROM occurrences") == Int64(rows))
        #expect(try store.database.scalarInteger("SELECT count(DISTINCT member_key) FROM outbox") == Int64(rows))
        // A key repeats only where the killed worker's call was under way.
        let repeated = gateway.acceptedCounts.values.filter { $0 > 1 }.count
        let lost = try store.database.scalarInteger("SELECT count(*) FROM delivery_attempts WHERE outcome = 'lost'") ?? 0
        #expect(repeated <= Int(lost), "\(repeated) keys accepted twice, \(lost) leases charged")
    }

    /// A worker that cannot reach its database does not start: status 2 and a message that
    /// names the database, its password replaced.
    @Test(.timeLimit(.minutes(1))) func anUnreachableDatabaseStopsStartUpAndNamesNoPassword() async throws {
        let folder = try TemporaryDirectory()
        let config = try folder.write("herald.json5", """
            { store: { postgres: "postgresql://herald:s3cret@127.0.0.1:1/herald?connect_timeout=3" },
              channels: { sms: { adapter: "log", path: "sms.jsonl" } } }
            """)
        try FileManager.default.createDirectory(atPath: folder.file("Triggers"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: folder.file("MessageTemplates"), withIntermediateDirectories: true)
        let worker = try launchHerald(config: config, ["run"], folder: folder)
        #expect(await Waiting.exit(of: worker, within: .seconds(30)), "herald run did not give up within 30 s")
        let log = self.log(folder, "stderr.txt")
        #expect(worker.terminationStatus == 2, "\(log)")
        #expect(log.contains("cannot connect to postgresql://herald:***@127.0.0.1:1/herald") && !log.contains("s3cret"),
                "\(log)")
    }

    /// The database stops (as a crash or a dropped network ends every connection) and comes
    /// back: both workers reconnect on their own and deliver every row, each key once.
    @Test(.timeLimit(.minutes(4))) func workersReconnectWhenTheDatabaseComesBack() async throws {
        let folder = try TemporaryDirectory()
        let cluster = try TemporaryPostgres(durability: .commits)
        let location = StoreLocation.postgres(url: try cluster.makeDatabase())
        // Slow enough that delivery spans the outage: 2,000 rows at 50 ms, 16 at a time per worker (3 s).
        let gateway = try LoopbackGateway { _ in .status(200, body: #"{"message_id":"ok"}"#, delay: 0.05) }
        let rows = 2_000
        let config = try await prepare(folder, store: location, gateway: gateway, members: rows)
        let workers = try (0..<2).map { try launchHerald(config: config, ["run"], folder: folder, stderrName: "w\($0).txt") }
        defer { killLeftovers(workers) }
        var store = try StoreBackend.open(location, readOnly: true)
        #expect(try await Waiting.until(within: .seconds(60)) { try count(store, "status = 'sent'") > 100 },
                "delivery did not start within 60 s")
        cluster.stop()
        // Down: connections are refused, and no other test's server can take the port meanwhile.
        let hold = try LoopbackPortHold(port: cluster.port)
        let sentBeforeTheOutage = gateway.acceptedCounts.count
        try await Task.sleep(for: .seconds(3))
        hold.release()
        try cluster.start()
        #expect(sentBeforeTheOutage < rows, "delivery ended before the database stopped")
        store = try StoreBackend.open(location, readOnly: true)
        let sent = try await Waiting.until(within: .seconds(120)) { try count(store, "status = 'sent'") == Int64(rows) }
        let open = try count(store, "status <> 'sent'")
        for worker in workers { kill(worker.processIdentifier, SIGTERM) }
        for worker in workers {
            #expect(await Waiting.exit(of: worker, within: .seconds(30)), "a worker did not stop within 30 s")
            #expect(worker.terminationReason == .exit && worker.terminationStatus == 0)
        }
        #expect(sent, "\(open) rows not sent 120 s after the database came back")
        let logs = log(folder, "w0.txt") + log(folder, "w1.txt")
        #expect(logs.contains("PostgreSQL"), "the outage left no trace in the logs")
        // A store that is away is asked again a few times a second, not at every pass of the loop.
        let refusals = logs.components(separatedBy: "event=dispatch.record_failed").count - 1
        #expect(refusals < 200, "\(refusals) failed writes of outcomes logged for an outage of seconds")
        let accepted = gateway.acceptedCounts
        #expect(accepted.count == rows && accepted.values.allSatisfy { $0 == 1 },
                "\(accepted.values.filter { $0 > 1 }.count) keys accepted twice")
    }
}
