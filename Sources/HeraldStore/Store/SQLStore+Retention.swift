import Foundation
import HeraldCore

/// Retention (`retention`, issue 17): rows older than their horizon deleted, a batch a
/// transaction, so a worker's sweep never holds the store for long.
extension SQLStore {
    /// Statuses a message no longer changes from (but for a late receipt, which then finds nothing).
    static let finishedStatuses = "'sent', 'delivered', 'failed', 'expired', 'cancelled'"

    /// Deletes what `policy` no longer keeps at `now`: at most `maxBatches` batches of
    /// `batchSize` rows each (`hasMore` says whether rows were left for the next sweep).
    /// - attempts started before `now - attempts`;
    /// - finished messages scheduled before `now - outbox`, their attempts with them (the
    ///   planning ledger, `occurrences`, and the report's suppression rows stay: without them
    ///   an old occurrence would be planned, or counted as newly suppressed, again);
    /// - events before `now - events`, except those a points lot with points left still names,
    ///   and the lots spent or expired before then.
    public func applyRetention(_ policy: RetentionPolicy, now: Date, batchSize: Int = 1_000,
                               maxBatches: Int = 1_000) throws -> RetentionReport {
        var report = RetentionReport()
        // What leaves the SQLite file is overwritten, not left in its free pages.
        if dialect == .sqlite { try database.execute("PRAGMA secure_delete = ON") }
        var batches = 0
        let limit = SQLValue.integer(Int64(max(1, batchSize)))
        /// Runs `delete` (one batch) until it deletes nothing or the sweep's batches are spent
        /// (a step after that still looks once, so no step is starved by an earlier one).
        func repeatedly(_ delete: () throws -> Int) throws -> Int {
            var total = 0
            // A batch that finds nothing ends the step without counting: each step gets to look.
            while true {
                let deleted = try database.withTransaction { try delete() }
                total += deleted
                if deleted == 0 { return total }
                batches += 1
                if batches >= maxBatches {
                    report.hasMore = true
                    return total
                }
            }
        }
        if let attempts = policy.attempts {
            let before = SQLValue.integer(now.epochSeconds - attempts.seconds)
            report.attempts += try repeatedly {
                try database.prepare("""
                    DELETE FROM delivery_attempts WHERE (outbox_key, attempt) IN (
                        SELECT outbox_key, attempt FROM delivery_attempts WHERE started_at < ? LIMIT ?)
                    """).run([before, limit])
            }
        }
        if let outbox = policy.outbox {
            let horizon = now.epochSeconds - outbox.seconds
            // Through the index on local_day (a day before the horizon's UTC day covers every zone).
            let day = SQLValue.text(CivilDate(daysSinceEpoch: Int(horizon / 86_400) - 1).description)
            report.messages += try repeatedly {
                var keys: [Int64] = []
                try database.forEachPage(of: """
                    SELECT key FROM outbox WHERE local_day < ? AND scheduled_at < ? AND status IN (\(Self.finishedStatuses))
                    ORDER BY key LIMIT ?
                    """, [day, .integer(horizon), limit], pageSize: batchSize,
                    readRow: { keys.append($0.integer(at: 0) ?? 0) }, pageDone: {})
                guard !keys.isEmpty else { return 0 }
                let list = database.dialect.keyList(keys)
                let dialect = database.dialect
                let inList = { (column: String) in dialect.isOneOf(column, keysIn: "?") }
                // Status checked again by each statement: a row retried meanwhile (pending again) stays.
                let finished = "SELECT key FROM outbox WHERE \(inList("key")) AND status IN (\(Self.finishedStatuses))"
                report.attempts += try database.prepare("DELETE FROM delivery_attempts WHERE outbox_key IN (\(finished))")
                    .run([list])
                _ = try database.prepare("UPDATE address_suppressions SET outbox_key = NULL WHERE outbox_key IN (\(finished))")
                    .run([list])
                return try database.prepare("DELETE FROM outbox WHERE \(inList("key")) AND status IN (\(Self.finishedStatuses))")
                    .run([list])
            }
        }
        if let events = policy.events {
            let before = SQLValue.integer(now.epochSeconds - events.seconds)
            report.pointsLots += try repeatedly {
                try database.prepare("""
                    DELETE FROM points_lots WHERE key IN (
                        SELECT p.key FROM points_lots p JOIN events e ON e.key = p.event_key
                        WHERE e.at < ? AND (p.remaining <= 0 OR p.expires_at < ?) LIMIT ?)
                    """).run([before, before, limit])
            }
            report.events += try repeatedly {
                try database.prepare("""
                    DELETE FROM events WHERE key IN (
                        SELECT e.key FROM events e WHERE e.at < ?
                            AND NOT EXISTS (SELECT 1 FROM points_lots p WHERE p.event_key = e.key) LIMIT ?)
                    """).run([before, limit])
            }
        }
        return report
    }
}
