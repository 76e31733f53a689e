import Foundation
import HeraldCore
@_spi(StoreSQL) import HeraldStore

/// `herald-bench report`: `herald report --format json` over a store holding `--sends`
/// outbox rows (with their occurrences, 10 % as many held-out members and 20 % as many
/// suppressions) and `--events` events, against the `sqlite3` shell running the report's
/// three statements on the same file, in the same run (issue 5: ≤ 2 s for 1M sends and 5M events).
///
/// The store is generated with SQL straight into the schema (ingesting 5M events through
/// the CLI would take minutes and is measured by `import`): 30 days, 5 triggers (one A/B),
/// status mix 60 % sent, 30 % delivered, 5 % failed, 5 % pending; 10 % clicked, 3 % redeemed;
/// events 30 % purchases, 20 % receipts, 10 % clicks, 2 % redeems, the rest browsing; purchases
/// attributed to sends and held-out members as ingest would have (`HeraldSchema.purchaseBackfill`).
struct ReportBenchmark {
    let options: Options
    let herald: String
    let sqlite3: String

    func run() throws {
        let folder = URL(fileURLWithPath: options.folder).standardizedFileURL.path + "/report"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let storePath = folder + "/herald.db"
        let stamp = "\(options.sends)-\(options.events)-r2"
        if (try? String(contentsOfFile: folder + "/generated", encoding: .utf8)) != stamp {
            say("generating \(options.sends) sends and \(options.events) events in \(storePath) …")
            let started = ContinuousClock.now
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: storePath + suffix) }
            try generate(storePath)
            try stamp.write(toFile: folder + "/generated", atomically: true, encoding: .utf8)
            say("generated in \(ContinuousClock.now - started)")
        }
        let config = folder + "/herald.json5"
        try FileManager.default.createDirectory(atPath: folder + "/Triggers", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: folder + "/MessageTemplates", withIntermediateDirectories: true)
        try "{ store: { sqlite: 'herald.db' }, timezone: 'Asia/Shanghai' }".write(toFile: config, atomically: true, encoding: .utf8)
        let statements = CampaignReportQuery().statementsWithLiterals()

        var heraldRuns: [ChildProcess.Measurement] = []
        var sqliteRuns: [ChildProcess.Measurement] = []
        for run in 1...options.runs {
            let report = try ChildProcess.run(herald, ["--config", config, "report", "--format", "json"],
                                              stdoutPath: folder + "/report.json", stderrPath: folder + "/report.err")
            guard report.exitStatus == 0 else { throw BenchError("herald report exited \(report.exitStatus): see \(folder)/report.err") }
            let baseline = try ChildProcess.run(sqlite3, ["-readonly", storePath] + statements,
                                                stdoutPath: folder + "/sqlite3.out", stderrPath: folder + "/sqlite3.err")
            guard baseline.exitStatus == 0 else { throw BenchError("sqlite3 exited \(baseline.exitStatus): see \(folder)/sqlite3.err") }
            heraldRuns.append(report)
            sqliteRuns.append(baseline)
            say("run \(run): herald report \(format(report.seconds)) s (peak RSS \(format(report.peakRSSMebibytes, 1)) MiB), "
                + "sqlite3 \(format(baseline.seconds)) s")
        }
        let heraldMedian = median(heraldRuns.map(\.seconds)), sqliteMedian = median(sqliteRuns.map(\.seconds))
        let planned = try sumOfPlanned(folder + "/report.json")
        say("median over \(options.runs) runs: herald report \(format(heraldMedian)) s, sqlite3 \(format(sqliteMedian)) s "
            + "(\(format(heraldMedian / sqliteMedian)) x); rows report \(planned) planned sends "
            + "(expected \(options.sends)); peak RSS \(format(heraldRuns.map(\.peakRSSMebibytes).max() ?? 0, 1)) MiB")
    }

    private func sumOfPlanned(_ path: String) throws -> Int {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
        return (object?["rows"] as? [[String: Any]] ?? []).reduce(0) { $0 + ($1["planned"] as? Int ?? 0) }
    }

    private func generate(_ path: String) throws {
        let store = try SQLStore(path: path)
        let database = store.database
        let sends = options.sends, heldOut = options.sends / 10, suppressed = options.sends / 5
        let members = sends + heldOut
        let start = 1_780_000_000 - 30 * 86_400  // 30 days of sends, then a week of events after them
        // Row i with its scheduled instant s: one of the 30 days, at 10:00 Shanghai.
        let scheduled = "(SELECT i, \(start) + (i * 2654435761 % 30) * 86400 + 36000 AS s FROM n)"
        try database.execute("PRAGMA journal_mode = OFF")
        try database.execute("PRAGMA synchronous = OFF")
        try database.withTransaction {
            try database.execute("""
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < \(members))
                INSERT INTO members (key, id) SELECT i, 'M' || i FROM n
                """)
            try database.execute("""
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < \(sends))
                INSERT INTO outbox (key, trigger_id, member_key, occurrence_key, idempotency_key, category, channel, address,
                    template, variant, body, link_token, coupon_code, coupon_expires_at, scheduled_at, next_attempt_at,
                    status, receipt, clicked_at, redeemed_at, created_at, updated_at, local_day, attribution_until)
                SELECT i, 't' || (i % 5), i, 'o' || i, 'hk-' || i, 'marketing', CASE WHEN i % 3 = 0 THEN 'push' ELSE 'sms' END,
                    '+86138' || i, 't', CASE WHEN i % 5 = 0 THEN CASE WHEN i % 2 = 0 THEN 'a' ELSE 'b' END END, 'text',
                    'tok' || i, 'C' || i, s + 7 * 86400, s, s,
                    CASE WHEN i % 20 = 0 THEN 'failed' WHEN i % 20 = 1 THEN 'pending' WHEN i % 10 < 4 THEN 'delivered' ELSE 'sent' END,
                    CASE WHEN i % 10 < 4 AND i % 20 > 1 THEN 'delivered' END,
                    CASE WHEN i % 10 = 5 THEN s + 600 END, CASE WHEN i % 100 < 3 THEN s + 86400 END, s, s,
                    strftime('%Y-%m-%d', s, 'unixepoch', '+8 hours'), s + 7 * 86400
                FROM \(scheduled)
                """)
            try database.execute("""
                INSERT INTO occurrences (trigger_id, member_key, occurrence_key, outcome, variant, evaluated_at, scheduled_at,
                    local_day, attribution_until)
                SELECT trigger_id, member_key, occurrence_key, 'planned', variant, scheduled_at, scheduled_at, local_day,
                    attribution_until FROM outbox
                """)
            try database.execute("""
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < \(heldOut))
                INSERT INTO occurrences (trigger_id, member_key, occurrence_key, outcome, evaluated_at, scheduled_at, local_day,
                    attribution_until)
                SELECT 't' || (i % 5), \(sends) + i, 'h' || i, 'held_out', s, s, strftime('%Y-%m-%d', s, 'unixepoch', '+8 hours'),
                    s + 7 * 86400
                FROM \(scheduled)
                """)
            try database.execute("""
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < \(suppressed))
                INSERT INTO suppressions (trigger_id, member_key, occurrence_key, reason, local_day, first_at, last_at)
                SELECT 't' || (i % 5), 1 + (i * 7919 % \(members)), 's' || i,
                    CASE i % 4 WHEN 0 THEN 'audience' WHEN 1 THEN 'no_channel' WHEN 2 THEN 'no_consent' ELSE 'cap' END,
                    strftime('%Y-%m-%d', s, 'unixepoch', '+8 hours'), s, s
                FROM \(scheduled)
                """)
            try database.execute("""
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < \(options.events))
                INSERT INTO events (key, id, member_key, type, at, amount, reference, payload, ingested_at)
                SELECT i, 'e' || i, m, t, \(start) + (i * 40503 % (37 * 86400)), CASE t WHEN 'purchase' THEN 12000 END,
                    CASE t WHEN 'click' THEN 'tok' || m WHEN 'redeem' THEN 'C' || m WHEN 'delivered' THEN 'hk-' || m END, '{}', 0
                FROM (SELECT i, 1 + (i * 2654435761 % \(members)) AS m,
                    CASE WHEN i % 100 < 30 THEN 'purchase' WHEN i % 100 < 50 THEN 'delivered' WHEN i % 100 < 60 THEN 'click'
                         WHEN i % 100 < 62 THEN 'redeem' ELSE 'browse' END AS t FROM n)
                """)
            // What ingest would have attributed, purchase by purchase.
            try database.execute(HeraldSchema.purchaseBackfill)
        }
    }
}
