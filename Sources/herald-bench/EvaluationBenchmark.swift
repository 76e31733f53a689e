import Foundation
import HeraldCore
import HeraldStore
import HeraldWorker

/// Issue 3's benchmark: every trigger in `Triggers/` evaluated at one instant over the
/// generated store (the release `Scheduler`: candidate queries, policy, rendering), in a
/// child process so its peak RSS is its own; the baseline is the `sqlite3` shell running
/// the very same candidate queries (`CandidateQuery.literalSQL`) on the same store.
struct EvaluationBenchmark {
    let options: Options
    let folder: String
    let herald: String
    let sqlite3: String

    /// 09:30 in Shanghai on the day after the generated events end.
    static let instant = Date(epochSeconds: Int64(DataGenerator.eventsStart + DataGenerator.eventsSpan + 9 * 3600 + 1800))

    func run() throws {
        let config = try writeConfig()
        let store = folder + "/eval.db"
        let stampPath = folder + "/eval-loaded"
        let stamp = try String(contentsOfFile: folder + "/generated", encoding: .utf8)
        if (try? String(contentsOfFile: stampPath, encoding: .utf8)) != stamp {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: store + suffix) }
            say("loading the evaluation store with herald import + ingest (once; kept in \(store)) …")
            for (phase, arguments) in [("eval-members", ["import", "members", folder + "/members.csv"]),
                                       ("eval-events", ["ingest", folder + "/events.ndjson"])] {
                let loaded = try ChildProcess.run(herald, ["--config", config] + arguments, stdoutPath: "\(folder)/\(phase).out",
                                                  stderrPath: "\(folder)/\(phase).err")
                guard loaded.exitStatus == 0 else { throw BenchError("\(phase) failed; see \(folder)/\(phase).err") }
                say("  \(phase): \(format(loaded.seconds)) s")
            }
            try stamp.write(toFile: stampPath, atomically: true, encoding: .utf8)
        }
        let catalog = try CatalogLoader.load(configPath: config)
        let enabled = catalog.triggers.filter(\.enabled)
        // The generated store has no suppressed address: Herald leaves out that probe, and so does the baseline.
        let queries = enabled.map { trigger in
            CandidateQuery(trigger: trigger, at: Self.instant, defaultTimeZone: catalog.config.timeZone,
                           defaultLocale: catalog.config.locale, withPointsBalance: catalog.needsPointsBalance(trigger),
                           withSuppressedAddresses: false)
        }
        let baselinePragmas = ["PRAGMA cache_size = -65536", "PRAGMA temp_store = MEMORY", ".output /dev/null"]
        var heraldTotals: [Double] = [], heraldRSS: [Double] = [], baselineTotals: [Double] = []
        var perTrigger: [String: [Double]] = [:], perTriggerBaseline: [String: [Double]] = [:]
        var counts: [String: (candidates: Substring, planned: Substring)] = [:]
        for run in 1...options.runs {
            let child = try ChildProcess.run(CommandLine.arguments[0], ["evaluate-child", config, String(Self.instant.epochSeconds)],
                                             stdoutPath: "\(folder)/evaluate.out", stderrPath: "\(folder)/evaluate.err")
            guard child.exitStatus == 0 else { throw BenchError("evaluation failed; see \(folder)/evaluate.err") }
            // Lines: "<trigger> <seconds> <candidates> <planned>", then "total <seconds> <planned> <suppressed>".
            for line in try String(contentsOfFile: "\(folder)/evaluate.out", encoding: .utf8).split(separator: "\n") {
                let fields = line.split(separator: " ")
                guard fields.count == 4, let seconds = Double(fields[1]) else { continue }
                if fields[0] == "total" {
                    heraldTotals.append(seconds)
                } else {
                    perTrigger[String(fields[0]), default: []].append(seconds)
                    counts[String(fields[0])] = (fields[2], fields[3])
                }
            }
            heraldRSS.append(child.peakRSSMebibytes)
            let all = try ChildProcess.run(sqlite3, [store] + baselinePragmas + queries.map(\.literalSQL),
                                           stdoutPath: "/dev/null", stderrPath: "\(folder)/baseline.err")
            guard all.exitStatus == 0 else { throw BenchError("sqlite3 failed; see \(folder)/baseline.err") }
            baselineTotals.append(all.seconds)
            for query in queries {
                let one = try ChildProcess.run(sqlite3, [store] + baselinePragmas + [query.literalSQL],
                                               stdoutPath: "/dev/null", stderrPath: "\(folder)/baseline.err")
                perTriggerBaseline[query.trigger.id, default: []].append(one.seconds)
            }
            say("run \(run): herald \(format(heraldTotals.last!, 3)) s (peak RSS \(format(child.peakRSSMebibytes, 1)) MiB), "
                + "sqlite3 queries \(format(all.seconds, 3)) s")
        }
        say("\nevaluation at \(InstantFormatter.string(from: Self.instant, in: catalog.config.timeZone)) over "
            + "\(options.members) members / \(options.events) events; medians over \(options.runs) run(s)")
        say("trigger                    candidates  planned  herald s  sqlite3 s  ratio")
        for query in queries {
            let id = query.trigger.id
            let mine = median(perTrigger[id] ?? [0]), theirs = median(perTriggerBaseline[id] ?? [0])
            let count = counts[id]
            let cells: [String] = [
                id.padding(toLength: 26, withPad: " ", startingAt: 0), String(count?.candidates ?? "?").leftPadded(to: 10, with: " "),
                String(count?.planned ?? "?").leftPadded(to: 8, with: " "), format(mine, 3).leftPadded(to: 9, with: " "),
                format(theirs, 3).leftPadded(to: 10, with: " "), format(mine / theirs).leftPadded(to: 6, with: " "),
            ]
            say(cells.joined(separator: " "))
        }
        let total = median(heraldTotals), baseline = median(baselineTotals)
        say("all triggers (evaluation)                      \(format(total, 3).leftPadded(to: 9, with: " ")) \(format(baseline, 3).leftPadded(to: 10, with: " ")) \(format(total / baseline).leftPadded(to: 6, with: " "))")
        say("herald peak RSS (whole process): \(format(heraldRSS.max() ?? 0, 1)) MiB; sqlite3 per-trigger times include its start-up (~2 ms)")
    }

    /// The bench config: the sandbox's policy (quiet hours, caps, channels, SMS), this
    /// store, and the repository's Triggers/ and MessageTemplates/.
    private func writeConfig() throws -> String {
        let repository = FileManager.default.currentDirectoryPath
        let path = folder + "/eval.json5"
        try """
            {
              store: { sqlite: "eval.db" },
              timezone: "Asia/Shanghai", locale: "zh-CN",
              triggers: "\(repository)/Triggers", templates: "\(repository)/MessageTemplates",
              quiet_hours: "21:00-08:00",
              caps: [ { max: 1, per: "1d" }, { max: 3, per: "7d" } ],
              channels: { sms: { adapter: "log", path: "sms.jsonl" }, push: { adapter: "log", path: "push.jsonl" } },
              sms: { signature: "【悦享会员】", opt_out: "回T退订", max_segments: 3 },
              links: { base: "https://s.example.cn/" },
            }
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The measured process: load the catalog, open the store read-only, evaluate once.
    static func child(_ arguments: [String]) throws {
        guard arguments.count == 2, let seconds = Int64(arguments[1]) else { throw BenchError("evaluate-child CONFIG EPOCH") }
        let catalog = try CatalogLoader.load(configPath: arguments[0])
        let store = try MemberStore(readingAt: catalog.config.storePath)
        var codes = SendCodes.seeded(1)
        let started = ContinuousClock.now
        let evaluation = try Scheduler(catalog: catalog, store: store).evaluate(at: Date(epochSeconds: seconds), codes: &codes)
        let total = (ContinuousClock.now - started).inSeconds
        var lines = evaluation.summaries.map { "\($0.triggerID) \($0.seconds) \($0.candidates) \($0.planned)" }
        lines.append("total \(total) \(evaluation.planned.count) \(evaluation.suppressed.count)")
        say(lines.joined(separator: "\n"))
    }
}
