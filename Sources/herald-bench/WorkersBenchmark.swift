import Foundation
import HeraldCore
@_spi(StoreSQL) import HeraldStore
@_spi(StoreSQL) import HeraldTestSupport
import HeraldWorker

/// Claim and outcome throughput on PostgreSQL with several workers (issue 16): 1, 2 and 4
/// `herald run` processes on one database deliver the same planned outbox to a loopback
/// gateway that answers at once; as the baseline, in the same run against the same server,
/// `pgbench` with as many clients runs the statements a worker runs per batch of 32 rows —
/// claim, read, mark started, record the outcome and the attempt — in the same three
/// transactions, with nothing else (no HTTP, no Swift).
///
/// The server keeps PostgreSQL's durable defaults (fsync, synchronous commit), so every
/// transaction waits for its WAL flush, as in production. Each run starts from the same
/// planned rows; every row must end `sent`, each key posted once.
struct WorkersBenchmark {
    let options: Options
    let herald: String
    static let batch = 32
    static let workerCounts = [1, 2, 4]

    func run() throws {
        guard let pgbench = findOnPath("pgbench") else { throw BenchError("pgbench is needed (apt-get install postgresql-15)") }
        let folder = URL(fileURLWithPath: options.folder).standardizedFileURL.path + "/workers"
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: folder + "/Triggers", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: folder + "/MessageTemplates/t", withIntermediateDirectories: true)
        say("starting PostgreSQL (durable defaults) …")
        let cluster = try TemporaryPostgres(durability: .disk)
        let url = try cluster.makeDatabase()
        let gateway = try LoopbackGateway { _ in .status(200, body: #"{"message_id":"m"}"#) }
        let config = folder + "/herald.json5"
        try """
            { store: { postgres: "\(url)" }, evaluate_every: "1h",
              channels: { sms: { adapter: "http", url: "\(gateway.url)", timeout: "10s",
                                 concurrency: \(Self.batch) } },
              dispatch: { max_attempts: 4, backoff: "10m", lease: "5m", shutdown_timeout: "5s" } }
            """.write(toFile: config, atomically: true, encoding: .utf8)
        try #"{ id: "bench", kind: "inactivity", params: { days: 30 }, channels: ["sms"], template: "t", category: "service" }"#
            .write(toFile: folder + "/Triggers/bench.json5", atomically: true, encoding: .utf8)
        try "【品牌】{{ member.id }}，您的积分即将到期，点击查看详情。"
            .write(toFile: folder + "/MessageTemplates/t/sms.zh-CN.txt", atomically: true, encoding: .utf8)
        try plan(folder: folder, config: config, url: url)
        let script = folder + "/claim.sql"
        try Self.pgbenchScript.write(toFile: script, atomically: true, encoding: .utf8)
        let store = try SQLStore(postgres: url)

        // One round unmeasured: a new store's statistics say its attempts table is empty, and
        // until autovacuum analyzes it (a minute in) the planner reads it in full per row.
        say("warming up (one unmeasured delivery of every row) …")
        try reset(store)
        _ = try deliver(workers: 2, config: config, store: store, folder: folder)
        var heraldRates: [Int: [Double]] = [:]
        var baselineRates: [Int: [Double]] = [:]
        for run in 1...options.runs {
            for workers in Self.workerCounts {
                try reset(store)
                let before = gateway.requests.count
                let seconds = try deliver(workers: workers, config: config, store: store, folder: folder)
                let posted = gateway.requests.count - before
                guard posted == options.sends else { throw BenchError("\(posted) posts for \(options.sends) rows") }
                heraldRates[workers, default: []].append(Double(options.sends) / seconds)

                try reset(store)
                let transactions = (options.sends + Self.batch * workers - 1) / (Self.batch * workers)
                let baseline = try ChildProcess.run(pgbench, [
                    "-n", "-h", "127.0.0.1", "-p", "\(cluster.port)", "-U", "herald", "-f", script,
                    "-c", "\(workers)", "-j", "\(workers)", "-t", "\(transactions)",
                    URLComponents(string: url)?.path.dropFirst().description ?? "postgres",
                ], stdoutPath: folder + "/pgbench.out", stderrPath: folder + "/pgbench.err")
                guard baseline.exitStatus == 0 else { throw BenchError("pgbench failed; see \(folder)/pgbench.err") }
                let sent = try store.database.scalarInteger("SELECT count(*) FROM outbox WHERE status = 'sent'") ?? 0
                guard sent == options.sends else { throw BenchError("pgbench left \(Int64(options.sends) - sent) rows unsent") }
                baselineRates[workers, default: []].append(Double(options.sends) / baseline.seconds)
                say("run \(run), \(workers) worker(s): herald \(Int(Double(options.sends) / seconds)) rows/s, "
                    + "pgbench \(Int(Double(options.sends) / baseline.seconds)) rows/s")
            }
        }
        say("\nmedians over \(options.runs) run(s), \(options.sends) rows, batches of \(Self.batch), gateway answering at once")
        say("workers  herald rows/s  pgbench rows/s  herald ÷ pgbench")
        for workers in Self.workerCounts {
            let herald = median(heraldRates[workers]!), baseline = median(baselineRates[workers]!)
            say("\(String(workers).padding(toLength: 8, withPad: " ", startingAt: 0)) "
                + "\(String(Int(herald)).padding(toLength: 14, withPad: " ", startingAt: 0)) "
                + "\(String(Int(baseline)).padding(toLength: 15, withPad: " ", startingAt: 0)) \(format(herald / baseline * 100, 1)) %")
        }
    }

    /// `--sends` members imported with `herald import members`, planned once (the same
    /// scheduler and writer as `herald run`).
    private func plan(folder: String, config: String, url: String) throws {
        var csv = "id,phone,last_active_at\n"
        for index in 0..<options.sends { csv += "W\(index),139\(String(index).leftPadded(to: 8)),2020-01-01\n" }
        try csv.write(toFile: folder + "/members.csv", atomically: true, encoding: .utf8)
        let imported = try ChildProcess.run(herald, ["--config", config, "import", "members", folder + "/members.csv"],
                                            stdoutPath: folder + "/import.out", stderrPath: folder + "/import.err")
        guard imported.exitStatus == 0 else { throw BenchError("import failed; see \(folder)/import.err") }
        let store = try SQLStore(postgres: url)
        var codes = SendCodes.secure()
        let catalog = try CatalogLoader.load(configPath: config)
        let evaluation = try Scheduler(catalog: catalog, store: store).evaluate(at: Date(), codes: &codes)
        try SQLOutboxWriter.write(evaluation, to: store)
        let rows = try store.database.scalarInteger("SELECT count(*) FROM outbox") ?? 0
        guard rows == options.sends else { throw BenchError("planned \(rows) rows, expected \(options.sends)") }
    }

    /// Every row back to due and unsent, the outbox vacuumed. The attempts of earlier runs stay:
    /// a live store never empties that table, and an emptied one analyzed would make the
    /// planner read the growing table in full for each row's attempt number.
    private func reset(_ store: SQLStore) throws {
        try store.database.execute("""
            UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = scheduled_at, lease_until = NULL,
                lease_owner = NULL, call_started_at = NULL, provider_id = NULL, provider = NULL, cost_millifen = NULL,
                last_error = NULL, updated_at = created_at
            """)
        // VACUUM runs alone: a multi-statement text would put it in a transaction.
        try store.database.execute("VACUUM ANALYZE outbox")
        try store.database.execute("ANALYZE")
        // The reset flushed, as a live store's writes are: a round would otherwise wait behind it.
        try store.database.execute("CHECKPOINT")
    }

    /// Starts `workers` `herald run` processes and waits until every row is sent; the seconds
    /// from the first start to the last row (start-up included), then stops them.
    private func deliver(workers: Int, config: String, store: SQLStore, folder: String) throws -> Double {
        let started = ContinuousClock.now
        let processes = try (0..<workers).map { index in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: herald)
            process.arguments = ["--config", config, "run"]
            process.standardOutput = FileHandle.nullDevice
            _ = FileManager.default.createFile(atPath: folder + "/worker-\(workers)-\(index).err", contents: nil)
            process.standardError = FileHandle(forWritingAtPath: folder + "/worker-\(workers)-\(index).err")
            try process.run()
            return process
        }
        defer {
            for process in processes where process.isRunning { kill(process.processIdentifier, SIGTERM) }
            for process in processes { process.waitUntilExit() }
        }
        let deadline = ContinuousClock.now + .seconds(600)
        while try (store.database.scalarInteger("SELECT count(*) FROM outbox WHERE status = 'sent'") ?? 0)
            < Int64(options.sends) {
            guard ContinuousClock.now < deadline, processes.allSatisfy(\.isRunning) else {
                throw BenchError("delivery did not finish; see \(folder)/worker-*.err")
            }
            // A count reads the whole outbox: four times a second keeps it off the workers' CPU.
            usleep(250_000)
        }
        return (ContinuousClock.now - started).inSeconds
    }

    /// One batch as a worker runs it, in its three transactions: claim and read, re-check and
    /// mark started, outcome and attempt.
    static let pgbenchScript = """
        \\set batch \(batch)
        BEGIN;
        UPDATE outbox SET status = 'sending', lease_owner = 'pgbench-' || :client_id,
            lease_until = extract(epoch FROM now())::bigint + 300, call_started_at = NULL,
            updated_at = extract(epoch FROM now())::bigint
        WHERE key IN (SELECT key FROM outbox WHERE status = 'pending' AND channel = 'sms'
                      AND next_attempt_at <= extract(epoch FROM now())::bigint
                      ORDER BY next_attempt_at LIMIT :batch FOR UPDATE OF outbox SKIP LOCKED);
        SELECT o.key, o.trigger_id, m.id, o.category, o.channel, o.address, o.title, o.body, o.idempotency_key,
               o.scheduled_at, o.expires_at, o.attempts, o.deferrals, o.fallbacks IS NOT NULL, o.deferred_since,
               o.segments, o.provider_content, m.timezone, o.link_token, o.html
        FROM outbox o JOIN members m ON m.key = o.member_key
        WHERE o.lease_owner = 'pgbench-' || :client_id AND o.status = 'sending' AND o.call_started_at IS NULL;
        COMMIT;
        BEGIN;
        SELECT o.key, m.consent_sms, m.timezone, o.expires_at,
               EXISTS (SELECT 1 FROM address_suppressions a WHERE a.address = o.address)
        FROM outbox o JOIN members m ON m.key = o.member_key
        WHERE o.lease_owner = 'pgbench-' || :client_id AND o.status = 'sending' FOR UPDATE OF o;
        UPDATE outbox SET call_started_at = extract(epoch FROM now())::bigint
        WHERE lease_owner = 'pgbench-' || :client_id AND status = 'sending';
        COMMIT;
        BEGIN;
        INSERT INTO delivery_attempts (outbox_key, attempt, started_at, finished_at, outcome, http_status, latency_ms)
        SELECT key, (SELECT coalesce(max(a.attempt), 0) + 1 FROM delivery_attempts a WHERE a.outbox_key = outbox.key),
            updated_at, extract(epoch FROM now())::bigint, 'sent', 200, 1 FROM outbox
        WHERE lease_owner = 'pgbench-' || :client_id AND status = 'sending';
        UPDATE outbox SET status = 'sent', attempts = attempts + 1, provider_id = 'm',
            updated_at = extract(epoch FROM now())::bigint, lease_until = NULL, lease_owner = NULL, call_started_at = NULL
        WHERE lease_owner = 'pgbench-' || :client_id AND status = 'sending';
        COMMIT;

        """
}
