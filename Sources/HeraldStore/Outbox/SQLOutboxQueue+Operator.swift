import Foundation
import HeraldCore

/// The operator's tools (`herald outbox list/show/retry/cancel`) for when a gateway had a bad day.
extension SQLOutboxQueue {
    private static let entryColumns = """
        o.key, o.trigger_id, m.id, o.channel, o.address, o.template, o.variant, o.title, o.body, o.idempotency_key,
        o.scheduled_at, o.expires_at, o.status, o.attempts, o.next_attempt_at, o.last_error, o.provider_id, m.timezone,
        o.provider, o.cost_millifen, o.provider_content, h.coupon_planned_code, h.coupon_code
        """
    /// The row and the one holding its coupon (itself, or its primary's): texts show the issued code.
    private static let entryTables = "outbox o JOIN members m ON m.key = o.member_key JOIN outbox h ON h.key = coalesce(o.companion_of, o.key)"

    /// Matching rows, newest first, and how many match in all.
    public func entries(_ filter: OutboxFilter) throws -> (entries: [OutboxEntry], total: Int) {
        var conditions: [String] = []
        var values: [SQLValue] = []
        if let status = filter.status { conditions.append("o.status = ?"); values.append(.text(status)) }
        if let trigger = filter.triggerID { conditions.append("o.trigger_id = ?"); values.append(.text(trigger)) }
        if let member = filter.memberID { conditions.append("m.id = ?"); values.append(.text(member)) }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let from = "FROM \(Self.entryTables) \(whereClause)"
        let counting = try database.prepare("SELECT count(*) \(from)")
        try counting.bind(values)
        _ = try counting.step()
        let total = Int(counting.integer(at: 0) ?? 0)
        let statement = try database.prepare("SELECT \(Self.entryColumns) \(from) ORDER BY o.key DESC LIMIT ?")
        try statement.bind(values + [.integer(Int64(filter.limit))])
        var entries: [OutboxEntry] = []
        while try statement.step() { entries.append(entry(statement)) }
        return (entries.reversed(), total)
    }

    /// One row and every attempt on it; nil when there is no such row.
    public func entry(key: Int64) throws -> (entry: OutboxEntry, attempts: [OutboxEntry.Attempt])? {
        let statement = try database.prepare("""
            SELECT \(Self.entryColumns) FROM \(Self.entryTables) WHERE o.key = ?
            """)
        try statement.bind([.integer(key)])
        guard try statement.step() else { return nil }
        let entry = entry(statement)
        let attempts = try database.prepare("""
            SELECT attempt, started_at, finished_at, outcome, http_status, latency_ms, error, provider
            FROM delivery_attempts WHERE outbox_key = ? ORDER BY attempt
            """)
        try attempts.bind([.integer(key)])
        var list: [OutboxEntry.Attempt] = []
        while try attempts.step() {
            list.append(OutboxEntry.Attempt(
                number: Int(attempts.integer(at: 0) ?? 0), startedAt: attempts.instant(at: 1) ?? .distantPast,
                finishedAt: attempts.instant(at: 2), outcome: attempts.text(at: 3) ?? "",
                httpStatus: attempts.integer(at: 4).map(Int.init), latencyMilliseconds: attempts.integer(at: 5).map(Int.init),
                error: attempts.text(at: 6), provider: attempts.text(at: 7)))
        }
        return (entry, list)
    }

    /// Puts failed, expired or cancelled rows back in the queue, due now, with a fresh attempt
    /// budget and no last error (their history stays in `delivery_attempts`). `key` nil: every
    /// failed row. Returns how many.
    @discardableResult
    public func retry(key: Int64?, now: Date) throws -> Int {
        try database.withTransaction {
            let condition = key == nil ? "status = 'failed'" : "key = ? AND status IN ('failed', 'expired', 'cancelled')"
            let statement = try database.prepare("""
                UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ?, lease_until = NULL, updated_at = ?,
                    last_error = NULL
                WHERE \(condition)
                """)
            var values: [SQLValue] = [.integer(now.epochSeconds), .integer(now.epochSeconds)]
            if let key { values.append(.integer(key)) }
            return try statement.run(values)
        }
    }

    /// Cancels pending rows: one (`key`) or all of a trigger. Rows in flight (`sending`) are
    /// not touched — their call may already have reached the gateway. Returns how many.
    @discardableResult
    public func cancel(key: Int64?, triggerID: String?, by actor: String, now: Date) throws -> Int {
        try database.withTransaction {
            let statement = try database.prepare("""
                UPDATE outbox SET status = 'cancelled', lease_until = NULL, last_error = ?,
                    updated_at = ? WHERE status = 'pending' AND \(key == nil ? "trigger_id = ?" : "key = ?")
                """)
            return try statement.run([.text("cancelled by \(actor)"), .integer(now.epochSeconds),
                                      key.map(SQLValue.integer) ?? .text(triggerID ?? "")])
        }
    }

    private func entry(_ row: any SQLStatement) -> OutboxEntry {
        let channel = row.text(at: 3) ?? ""
        // For display: a sealed value that does not open (altered) says so instead of failing the list.
        func opened(_ column: Int32) -> String? {
            do { return try store.opened(row.text(at: column)) } catch { return "(sealed; does not open with store.key)" }
        }
        // What the message carried once its coupon was issued under the coupon system's code.
        func sent(_ column: Int32) -> String? {
            guard let issued = row.text(at: 22) else { return opened(column) }
            return ClaimedCoupon.issuedText(opened(column), planned: row.text(at: 21), issued: issued)
        }
        return OutboxEntry(
            key: row.integer(at: 0) ?? 0, triggerID: row.text(at: 1) ?? "", memberID: row.text(at: 2) ?? "",
            channel: channel,
            maskedAddress: AddressMask.masked(opened(4) ?? "", kind: ChannelConfig.kind(ofName: channel) ?? .sms),
            template: row.text(at: 5) ?? "", variant: row.text(at: 6), title: sent(7), text: sent(8) ?? "",
            idempotencyKey: row.text(at: 9) ?? "", scheduledAt: row.instant(at: 10) ?? .distantPast,
            expiresAt: row.instant(at: 11), status: row.text(at: 12) ?? "", attempts: Int(row.integer(at: 13) ?? 0),
            nextAttemptAt: row.instant(at: 14) ?? .distantPast, lastError: row.text(at: 15), providerID: row.text(at: 16),
            provider: row.text(at: 18), costMillifen: row.integer(at: 19), providerContent: sent(20),
            timeZoneIdentifier: row.text(at: 17))
    }
}
