import Foundation
import HeraldCore
@_spi(StoreSQL) import HeraldStore
@_spi(StoreSQL) import HeraldTestSupport
import HeraldWorker

/// Issues 3 and 13: every trigger in `Triggers/` evaluated at one instant over the generated
/// store, each way in a child process so its peak RSS is its own:
/// - `preview`: the release `Scheduler` collecting every decision (candidate queries, policy,
///   rendering), on the store opened read-only;
/// - `run`: `EvaluationRunner` streaming every decision into the outbox of a fresh copy of the
///   store (first tick), then a second tick at the same instant, when nothing is new.
/// The baseline is the `sqlite3` shell running the very same candidate queries
/// (`CandidateQuery.literalSQL`, without the run's anti-join) on the same store.
struct EvaluationBenchmark {
    let options: Options
    let folder: String
    let herald: String
    let sqlite3: String

    /// 09:30 in Shanghai on the day after the generated events end.
    static let instant = Date(epochSeconds: Int64(DataGenerator.eventsStart + DataGenerator.eventsSpan + 9 * 3600
                                                  + 1800))

    /// One child's per-trigger lines and totals.
    struct ChildRun {
        var triggers: [String: (seconds: Double, candidates: Int, planned: Int)] = [:]
        var total = 0.0
        var planned = 0
        var secondTick: Double?
        var secondTickCandidates = 0
        var secondTickTriggers: [String: (seconds: Double, candidates: Int)] = [:]
        var peakRSS = 0.0
    }

    func run() throws {
        if options.postgres { return try runOnPostgres() }
        let config = try writeConfig(store: "eval.db", name: "eval.json5")
        let runConfig = try writeConfig(store: "eval-run.db", name: "eval-run.json5")
        let store = folder + "/eval.db"
        try loadOnce(into: store, config: config)
        // A store loaded by an older Herald is upgraded once (preview reads only the current schema).
        _ = try SQLStore(path: store)
        let catalog = try CatalogLoader.load(configPath: config)
        // The generated store has no suppressed address: Herald leaves out that probe, and so does the baseline.
        let queries = catalog.triggers.filter(\.enabled).map { trigger in
            CandidateQuery(CandidateRequest(trigger: trigger, at: Self.instant,
                                            defaultTimeZone: catalog.config.timeZone,
                                            defaultLocale: catalog.config.locale,
                                            withPointsBalance: catalog.needsPointsBalance(trigger),
                                            withSuppressedAddresses: false), dialect: .sqlite)
        }
        var measured = Measured()
        for run in 1...options.runs {
            if !options.skipPreview { measured.previews.append(try child("preview", config: config)) }
            try freshCopy(of: store, to: folder + "/eval-run.db")
            measured.runs.append(try child("run", config: runConfig))
            let all = try baseline(store, queries.map(\.literalSQL))
            measured.baselineTotals.append(all)
            for query in queries {
                let seconds = try baseline(store, [query.literalSQL])
                measured.perTriggerBaseline[query.trigger.id, default: []].append(seconds)
            }
            let preview = measured.previews.last, tick = measured.runs.last!
            say("run \(run): preview \(format(preview?.total ?? 0, 3)) s "
                + "(peak RSS \(format(preview?.peakRSS ?? 0, 1)) MiB), "
                + "run \(format(tick.total, 3)) s (peak RSS \(format(tick.peakRSS, 1)) MiB, \(tick.planned) planned), "
                + "second tick \(format(tick.secondTick ?? 0, 3)) s, sqlite3 queries \(format(all, 3)) s")
        }
        say("\nevaluation at \(InstantFormatter.string(from: Self.instant, in: catalog.config.timeZone)) over "
            + "\(options.members) members / \(options.events) events; medians over \(options.runs) run(s)")
        printTable(measured, triggerIDs: queries.map(\.trigger.id))
    }

    /// `evaluate --postgres`: the same scenario on a PostgreSQL store loaded with herald import
    /// + ingest (COPY), each run's first tick on a fresh clone of it (`CREATE DATABASE …
    /// TEMPLATE`), and as the baseline `psql` running the same candidate queries.
    private func runOnPostgres() throws {
        guard let psql = findOnPath("psql") else { throw BenchError("psql is needed (apt-get install postgresql-client)") }
        say("starting PostgreSQL (durable defaults) …")
        let cluster = try TemporaryPostgres(durability: .disk)
        let loaded = try cluster.makeDatabase()
        let config = try writeConfig(store: .postgres(url: loaded), name: "eval-postgres.json5")
        for (name, arguments) in [("eval-pg-members", ["import", "members", folder + "/members.csv"]),
                                  ("eval-pg-events", ["ingest", folder + "/events.ndjson"])] {
            let output = "\(folder)/\(name)"
            let measured = try ChildProcess.run(herald, ["--config", config] + arguments, stdoutPath: output + ".out",
                                                stderrPath: output + ".err")
            guard measured.exitStatus == 0 else { throw BenchError("\(name) failed; see \(output).err") }
            say("  \(name): \(format(measured.seconds)) s")
        }
        let admin = try PostgresConnection(url: cluster.url)
        let loadedName = URLComponents(string: loaded)!.path.dropFirst().description
        // Settled as a live store is: vacuumed, analyzed, the load flushed. Right after a bulk
        // load the server is still writing it out, and every commit waits behind that.
        try PostgresConnection(url: loaded).execute("VACUUM ANALYZE")
        try admin.execute("CHECKPOINT")
        let catalog = try CatalogLoader.load(configPath: config)
        let queries = catalog.triggers.filter(\.enabled).map { trigger in
            CandidateQuery(CandidateRequest(trigger: trigger, at: Self.instant,
                                            defaultTimeZone: catalog.config.timeZone,
                                            defaultLocale: catalog.config.locale,
                                            withPointsBalance: catalog.needsPointsBalance(trigger),
                                            withSuppressedAddresses: false), dialect: .postgres)
        }
        func psqlBaseline(_ statements: [String]) throws -> Double {
            let measured = try ChildProcess.run(psql, [loaded, "-v", "ON_ERROR_STOP=1", "-o", "/dev/null", "-c",
                                                       "SET jit = off; " + statements.joined(separator: "; ")],
                                                stdoutPath: "/dev/null", stderrPath: "\(folder)/psql-baseline.err")
            guard measured.exitStatus == 0 else { throw BenchError("psql failed; see \(folder)/psql-baseline.err") }
            return measured.seconds
        }
        var measured = Measured()
        // Round 0 is not measured: a first tick over a freshly loaded PostgreSQL store was seen
        // to take three times as long as the next ones (the server still settling the load).
        for run in 0...options.runs {
            if run > 0, !options.skipPreview { measured.previews.append(try child("preview", config: config)) }
            let runName = "eval_run_\(run)"
            try admin.execute("DROP DATABASE IF EXISTS \(runName)")
            try admin.execute("CREATE DATABASE \(runName) TEMPLATE \(loadedName)")
            try admin.execute("CHECKPOINT")
            let runConfig = try writeConfig(store: .postgres(url: cluster.databaseURL(runName)), name: "eval-pg-run.json5")
            let tick = try child("run", config: runConfig)
            guard run > 0 else {
                say("warm-up: run \(format(tick.total, 3)) s (not counted)")
                continue
            }
            measured.runs.append(tick)
            let all = try psqlBaseline(queries.map(\.literalSQL))
            measured.baselineTotals.append(all)
            for query in queries {
                measured.perTriggerBaseline[query.trigger.id, default: []].append(try psqlBaseline([query.literalSQL]))
            }
            let preview = measured.previews.last
            say("run \(run): preview \(format(preview?.total ?? 0, 3)) s "
                + "(peak RSS \(format(preview?.peakRSS ?? 0, 1)) MiB), "
                + "run \(format(tick.total, 3)) s (peak RSS \(format(tick.peakRSS, 1)) MiB, \(tick.planned) planned), "
                + "second tick \(format(tick.secondTick ?? 0, 3)) s, psql queries \(format(all, 3)) s")
        }
        say("\nPostgreSQL: evaluation at \(InstantFormatter.string(from: Self.instant, in: catalog.config.timeZone)) over "
            + "\(options.members) members / \(options.events) events; medians over \(options.runs) run(s); "
            + "the sqlite3 column is psql here")
        printTable(measured, triggerIDs: queries.map { $0.trigger.id })
    }

    /// Everything the runs measured.
    private struct Measured {
        var previews: [ChildRun] = [], runs: [ChildRun] = [], baselineTotals: [Double] = []
        var perTriggerBaseline: [String: [Double]] = [:]
    }

    /// Loads the generated data into `store` once per generated set: with herald import +
    /// ingest, or with `--bulk` the `sqlite3` shell's `.import` (10M members).
    private func loadOnce(into store: String, config: String) throws {
        let stampPath = folder + "/eval-loaded"
        let stamp = try String(contentsOfFile: folder + "/generated", encoding: .utf8)
        guard (try? String(contentsOfFile: stampPath, encoding: .utf8)) != stamp else { return }
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: store + suffix) }
        let phases: [(name: String, executable: String, arguments: [String])]
        if options.bulkLoad {
            say("loading the evaluation store with the sqlite3 shell's .import (bulk; once; kept in \(store)) …")
            try BaselineLoader.createStore(at: store)
            phases = [("eval-members", sqlite3, [store] + BaselineLoader.memberCommands(folder: folder)),
                      ("eval-events", sqlite3, [store] + BaselineLoader.eventCommands(folder: folder)),
                      ("eval-cleanup", sqlite3, [store] + BaselineLoader.dropStaging)]
        } else {
            say("loading the evaluation store with herald import + ingest (once; kept in \(store)) …")
            phases = [("eval-members", herald, ["--config", config, "import", "members", folder + "/members.csv"]),
                      ("eval-events", herald, ["--config", config, "ingest", folder + "/events.ndjson"])]
        }
        for phase in phases {
            let output = "\(folder)/\(phase.name)"
            let loaded = try ChildProcess.run(phase.executable, phase.arguments, stdoutPath: output + ".out",
                                              stderrPath: output + ".err")
            guard loaded.exitStatus == 0 else { throw BenchError("\(phase.name) failed; see \(output).err") }
            say("  \(phase.name): \(format(loaded.seconds)) s")
        }
        try stamp.write(toFile: stampPath, atomically: true, encoding: .utf8)
    }

    /// The `sqlite3` shell running `statements` on `store`, output to /dev/null: its seconds.
    private func baseline(_ store: String, _ statements: [String]) throws -> Double {
        let pragmas = ["PRAGMA cache_size = -65536", "PRAGMA temp_store = MEMORY", ".output /dev/null"]
        let measured = try ChildProcess.run(sqlite3, [store] + pragmas + statements, stdoutPath: "/dev/null",
                                            stderrPath: "\(folder)/baseline.err")
        guard measured.exitStatus == 0 else { throw BenchError("sqlite3 failed; see \(folder)/baseline.err") }
        return measured.seconds
    }

    private func printTable(_ measured: Measured, triggerIDs: [String]) {
        func cell(_ text: String, _ width: Int) -> String { text.leftPadded(to: width, with: " ") }
        func name(_ id: String, _ width: Int) -> String { id.padding(toLength: width, withPad: " ", startingAt: 0) }
        say("trigger                    candidates  planned  preview s   run s  sqlite3 s  run/sqlite3")
        for id in triggerIDs {
            let previewSeconds = median(measured.previews.compactMap { $0.triggers[id]?.seconds })
            let runSeconds = median(measured.runs.compactMap { $0.triggers[id]?.seconds })
            let theirs = median(measured.perTriggerBaseline[id] ?? [0])
            let counts = measured.runs.last?.triggers[id]
            say([name(id, 26), cell("\(counts?.candidates ?? 0)", 10), cell("\(counts?.planned ?? 0)", 8),
                 cell(format(previewSeconds, 3), 10), cell(format(runSeconds, 3), 7), cell(format(theirs, 3), 10),
                 cell(format(runSeconds / theirs), 12)].joined(separator: " "))
        }
        let preview = median(measured.previews.map(\.total)), first = median(measured.runs.map(\.total))
        let baseline = median(measured.baselineTotals)
        say([name("all triggers", 46), cell(format(preview, 3), 10), cell(format(first, 3), 7),
             cell(format(baseline, 3), 10), cell(format(first / baseline), 12)].joined(separator: " "))
        say("second tick at the same instant (nothing new): "
            + "\(format(median(measured.runs.compactMap(\.secondTick)), 3)) s, "
            + "\(measured.runs.last?.secondTickCandidates ?? 0) candidates read "
            + "(the still-open ones: suppressed, not recorded)")
        for id in triggerIDs {
            let seconds = median(measured.runs.compactMap { $0.secondTickTriggers[id]?.seconds })
            let candidates = measured.runs.last?.secondTickTriggers[id]?.candidates ?? 0
            say("  \(name(id, 24)) \(cell("\(candidates)", 8)) candidates \(cell(format(seconds, 3), 7)) s")
        }
        say("peak RSS (whole process): preview \(format(measured.previews.map(\.peakRSS).max() ?? 0, 1)) MiB, "
            + "run \(format(measured.runs.map(\.peakRSS).max() ?? 0, 1)) MiB; "
            + "sqlite3 per-trigger times include its start-up (~2 ms)")
    }

    /// Runs the measured child once and reads its lines.
    func child(_ mode: String, config: String) throws -> ChildRun {
        let measured = try ChildProcess.run(CommandLine.arguments[0],
                                            ["evaluate-child", config, String(Self.instant.epochSeconds), mode],
                                            stdoutPath: "\(folder)/evaluate-\(mode).out",
                                            stderrPath: "\(folder)/evaluate-\(mode).err")
        guard measured.exitStatus == 0 else {
            throw BenchError("\(mode) evaluation failed; see \(folder)/evaluate-\(mode).err")
        }
        var result = ChildRun(peakRSS: measured.peakRSSMebibytes)
        // "<trigger> <seconds> <candidates> <planned>", "total <seconds> <planned>", "second <seconds> <candidates>".
        let output = try String(contentsOfFile: "\(folder)/evaluate-\(mode).out", encoding: .utf8)
        for line in output.split(separator: "\n") {
            let fields = line.split(separator: " ").map(String.init)
            guard fields.count >= 3, let seconds = Double(fields[1]), let count = Int(fields[2]) else { continue }
            switch fields[0] {
            case "total": (result.total, result.planned) = (seconds, count)
            case "second": (result.secondTick, result.secondTickCandidates) = (seconds, count)
            case let name where name.hasPrefix("second:"):
                result.secondTickTriggers[String(name.dropFirst(7))] = (seconds, count)
            default: result.triggers[fields[0]] = (seconds, count, fields.count > 3 ? Int(fields[3]) ?? 0 : 0)
            }
        }
        return result
    }

    /// A writable copy of the loaded store for one run's outbox.
    private func freshCopy(of store: String, to copy: String) throws {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: copy + suffix) }
        try FileManager.default.copyItem(atPath: store, toPath: copy)
    }

    /// The bench config: the sandbox's policy (quiet hours, caps, channels, SMS, the providers
    /// the templates map), this store, and the repository's Triggers/ and MessageTemplates/.
    private func writeConfig(store: String, name: String) throws -> String {
        try writeConfig(store: .sqlite(path: folder + "/" + store), name: name)
    }

    /// `key`: a store key (base64) to encrypt the store with; nil for a plain store.
    func writeConfig(store location: StoreLocation, name: String, key: String? = nil) throws -> String {
        let place = switch location {
        case .sqlite(let path): "sqlite: \"\(path)\""
        case .postgres(let url): "postgres: \"\(url)\""
        }
        let store = place + (key.map { ", key: \"\($0)\"" } ?? "")
        let repository = FileManager.default.currentDirectoryPath
        let path = folder + "/" + name
        try """
            {
              store: { \(store) },
              timezone: "Asia/Shanghai", locale: "zh-CN",
              triggers: "\(options.triggers.hasPrefix("/") ? options.triggers : repository + "/" + options.triggers)", templates: "\(repository)/MessageTemplates",
              quiet_hours: "21:00-08:00",
              caps: [ { max: 1, per: "1d" }, { max: 3, per: "7d" } ],
              providers: {
                tencent: { adapter: "tencent_sms", secret_id: "bench", secret_key: "bench", sdk_app_id: "1400000000",
                           sign_name: "悦享会员", region: "ap-guangzhou" },
                aliyun: { adapter: "aliyun_sms", access_key_id: "bench", access_key_secret: "bench",
                          sign_name: "悦享会员" },
                wx: { adapter: "wechat_mp", app_id: "wx1234567890abcdef", app_secret: "bench" },
              },
              channels: { sms: { adapter: "log", path: "sms.jsonl" }, push: { adapter: "log", path: "push.jsonl" },
                          wechat: { adapter: "log", path: "wechat.jsonl" }, email: { adapter: "log", path: "email.jsonl" } },
              coupon_issuers: { crm: { adapter: "log", path: "coupons.jsonl" } },
              sms: { signature: "【悦享会员】", opt_out: "回T退订", max_segments: 3 },
              links: { base: "https://s.example.cn/" },
              \(options.configExtra)
            }
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The measured process: `preview` collects one evaluation from the store opened
    /// read-only; `run` streams one into the outbox, then ticks again at the same instant.
    static func child(_ arguments: [String]) throws {
        guard arguments.count == 3, let seconds = Int64(arguments[1]) else {
            throw BenchError("evaluate-child CONFIG EPOCH preview|run")
        }
        let catalog = try CatalogLoader.load(configPath: arguments[0])
        let instant = Date(epochSeconds: seconds)
        var lines: [String] = []
        if arguments[2] == "run" {
            let runner = try EvaluationRunner(store: catalog.config.store, keys: StoreKeys(resolving: catalog.config.storeKey),
                                              catalog: catalog, codes: .seededByInstant)
            let first = try AsyncBridge.blocking { try await runner.evaluate(at: instant) }
            lines = first.triggers.map { "\($0.triggerID) \($0.seconds) \($0.candidates) \($0.planned)" }
            lines.append("total \(first.seconds) \(first.written.written)")
            let second = try AsyncBridge.blocking { try await runner.evaluate(at: instant) }
            lines.append("second \(second.seconds) \(second.triggers.reduce(0) { $0 + $1.candidates })")
            lines += second.triggers.map { "second:\($0.triggerID) \($0.seconds) \($0.candidates)" }
        } else {
            let store = try StoreFactory.open(catalog.config, access: .readOnly)
            var codes = SendCodes.seeded(1)
            let started = ContinuousClock.now
            let evaluation = try Scheduler(catalog: catalog, store: store).evaluate(at: instant, codes: &codes)
            lines = evaluation.summaries.map { "\($0.triggerID) \($0.seconds) \($0.candidates) \($0.planned)" }
            lines.append("total \((ContinuousClock.now - started).inSeconds) \(evaluation.planned.count)")
        }
        say(lines.joined(separator: "\n"))
    }
}
