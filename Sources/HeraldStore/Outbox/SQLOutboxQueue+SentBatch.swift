import Foundation
import HeraldCore

/// The common outcome written set-based: accepted sends with nothing to do about their
/// address and no failover before them — what a healthy gateway answers for almost every row.
/// A chunk of them is three statements (adopt early receipts, mark sent, record the attempt)
/// instead of three per row: on PostgreSQL, where each statement costs the server its own
/// planning and execution, that halves its work per row. The effects are `write`'s for the
/// same records.
extension SQLOutboxQueue {
    /// Rows per statement; a last, shorter chunk is padded with rows that match nothing, so
    /// each statement is prepared once.
    static let sentChunk = 32

    /// Whether `record` can be written set-based.
    static func isPlainSent(_ record: DeliveryRecord) -> Bool {
        guard case .sent = record.outcome else { return false }
        return record.earlierTries.isEmpty && record.suppressesAddress == nil && record.clearsAddress == nil
            && record.withdrawsConsent == nil
    }

    /// The chunk's values as a table `v` of the statements below: one row per record.
    static func sentValues(_ dialect: SQLDialect) -> String {
        let row = "(" + Array(repeating: "?", count: 10).joined(separator: ", ") + ")"
        return """
            (SELECT CAST(column1 AS BIGINT) AS key, CAST(column2 AS TEXT) AS provider_id,
                CAST(column3 AS TEXT) AS provider, CAST(column4 AS BIGINT) AS cost, CAST(column5 AS BIGINT) AS charge, CAST(column6 AS BIGINT) AS started,
                CAST(column7 AS BIGINT) AS finished, CAST(column8 AS BIGINT) AS http_status,
                CAST(column9 AS TEXT) AS error, CAST(column10 AS BIGINT) AS latency
             FROM (VALUES \(Array(repeating: row, count: sentChunk).joined(separator: ", "))) AS raw) AS v
            """
    }

    static func sentStatements(_ database: any SQLDatabase) throws -> [any SQLStatement] {
        let values = sentValues(database.dialect)
        // A receipt that came before the gateway's answer, found by the provider id just learnt.
        let adopt = try database.prepare("""
            UPDATE outbox SET (receipt, receipt_at) = (
                SELECT e.type, e.at FROM events e
                WHERE e.type IN ('delivered', 'undelivered') AND e.reference = v.provider_id
                ORDER BY e.at DESC LIMIT 1)
            FROM \(values)
            WHERE outbox.key = v.key AND outbox.receipt IS NULL AND v.provider_id IS NOT NULL
                AND EXISTS (SELECT 1 FROM events e
                            WHERE e.type IN ('delivered', 'undelivered') AND e.reference = v.provider_id)
            """)
        let mark = try database.prepare("""
            UPDATE outbox SET status = \(statusAfterReceipt("outbox.receipt")), attempts = outbox.attempts + v.charge,
                provider_id = coalesce(v.provider_id, outbox.provider_id),
                last_error = \(lastErrorAfterReceipt("outbox.receipt")),
                updated_at = v.finished, provider = v.provider, cost_millifen = v.cost,
                lease_until = NULL, lease_owner = NULL, call_started_at = NULL
            FROM \(values)
            WHERE outbox.key = v.key AND outbox.status IN ('sending', 'pending')
            """)
        let attempts = try database.prepare("""
            INSERT INTO delivery_attempts (outbox_key, attempt, started_at, finished_at, outcome, http_status, error,
                latency_ms, provider)
            SELECT v.key, (SELECT coalesce(max(a.attempt), 0) + 1 FROM delivery_attempts a WHERE a.outbox_key = v.key),
                v.started, v.finished, 'sent', v.http_status, v.error, v.latency, v.provider
            FROM \(values) WHERE v.key IS NOT NULL
            """)
        return [adopt, mark, attempts]
    }

    /// Writes accepted sends, `sentChunk` at a time.
    func recordSent(_ records: [DeliveryRecord], with statements: [any SQLStatement]) throws {
        var start = 0
        while start < records.count {
            let chunk = records[start..<min(start + Self.sentChunk, records.count)]
            start += Self.sentChunk
            var values: [SQLValue] = []
            values.reserveCapacity(Self.sentChunk * 10)
            for record in chunk {
                guard case .sent(let providerID) = record.outcome else { continue }
                values += [.integer(record.key), .optional(providerID), .optional(record.provider),
                           .optional(record.costMillifen), .integer(record.chargesAttempt ? 1 : 0),
                           .integer(record.startedAt.epochSeconds), .integer(record.finishedAt.epochSeconds),
                           .optional(record.httpStatus.map(Int64.init)), .optional(record.error),
                           .optional(record.latencyMilliseconds.map(Int64.init))]
            }
            values += Array(repeating: SQLValue.null, count: Self.sentChunk * 10 - values.count)
            for statement in statements { try statement.run(values) }
        }
    }
}
