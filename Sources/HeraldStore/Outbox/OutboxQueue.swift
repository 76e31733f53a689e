import Foundation
import HeraldCore

/// The outbox as the dispatcher sees it: due rows claimed under a lease, outcomes written
/// back, rows of a stopped worker returned to the queue (SPEC 4–5).
///
/// Every method is one `BEGIN IMMEDIATE` transaction, so two workers never claim the same
/// row, and a crash at any instant leaves each row either claimed (and returned when its
/// lease runs out) or not — never lost.
public final class OutboxQueue {
    let database: SQLiteDatabase
    private let selectDue: SQLiteStatement
    private let markSending: SQLiteStatement
    private let selectExpiredLeases: SQLiteStatement
    private let insertAttempt: SQLiteStatement
    private let selectFallbacks: SQLiteStatement
    private let updateStatus: SQLiteStatement
    private let markLost: SQLiteStatement
    private let moveToFallback: SQLiteStatement
    private let markSent: SQLiteStatement
    private let adoptEarlyReceipt: SQLiteStatement

    /// The status a sent row has once `receipt` (an SQL expression) is known: the one place
    /// that maps receipts to statuses, for ingest and for the dispatcher.
    static func statusAfterReceipt(_ receipt: String) -> String {
        "CASE \(receipt) WHEN 'delivered' THEN 'delivered' WHEN 'undelivered' THEN 'failed' ELSE 'sent' END"
    }

    /// `last_error` once `receipt` is known: an undelivered receipt says so.
    static func lastErrorAfterReceipt(_ receipt: String) -> String {
        "CASE \(receipt) WHEN 'undelivered' THEN 'undelivered (receipt)' ELSE last_error END"
    }

    public init(store: MemberStore) throws {
        database = store.database
        selectDue = try database.prepare("""
            SELECT o.key, o.trigger_id, m.id, o.category, o.channel, o.address, o.title, o.body, o.idempotency_key,
                   o.scheduled_at, o.expires_at, o.attempts, m.consent_sms, m.consent_push, m.consent_email, m.timezone,
                   o.fallbacks IS NOT NULL
            FROM outbox o JOIN members m ON m.key = o.member_key
            WHERE o.status = 'pending' AND o.channel = ? AND o.next_attempt_at <= ?
            ORDER BY o.next_attempt_at LIMIT ?
            """)
        markSending = try database.prepare("UPDATE outbox SET status = 'sending', lease_until = ?, updated_at = ? WHERE key = ?")
        selectExpiredLeases = try database.prepare("""
            SELECT key, attempts FROM outbox WHERE status = 'sending' AND lease_until <= ?
            """)
        insertAttempt = try database.prepare("""
            INSERT INTO delivery_attempts (outbox_key, attempt, started_at, finished_at, outcome, http_status, error, latency_ms)
            VALUES (?1, (SELECT coalesce(max(attempt), 0) + 1 FROM delivery_attempts WHERE outbox_key = ?1), ?, ?, ?, ?, ?, ?)
            """)
        selectFallbacks = try database.prepare("SELECT fallbacks, idempotency_key FROM outbox WHERE key = ?")
        updateStatus = try database.prepare("""
            UPDATE outbox SET status = ?, attempts = attempts + ?, next_attempt_at = coalesce(?, next_attempt_at),
                lease_until = NULL, last_error = coalesce(?, last_error), provider_id = coalesce(?, provider_id),
                updated_at = ? WHERE key = ? AND status = 'sending'
            """)
        // A receipt may have come in before the gateway's answer was recorded: it is on the
        // row already (by key), or among the events (by the provider id just learnt).
        markSent = try database.prepare("""
            UPDATE outbox SET status = \(Self.statusAfterReceipt("receipt")), attempts = attempts + ?1,
                lease_until = NULL, provider_id = coalesce(?2, provider_id),
                last_error = \(Self.lastErrorAfterReceipt("receipt")),
                updated_at = ?3 WHERE key = ?4 AND status = 'sending'
            """)
        adoptEarlyReceipt = try database.prepare("""
            UPDATE outbox SET (receipt, receipt_at) = (
                SELECT type, at FROM events WHERE type IN ('delivered', 'undelivered') AND reference = ?1
                ORDER BY at DESC LIMIT 1)
            WHERE key = ?2 AND receipt IS NULL
                AND EXISTS (SELECT 1 FROM events WHERE type IN ('delivered', 'undelivered') AND reference = ?1)
            """)
        markLost = try database.prepare("""
            UPDATE outbox SET status = ?, attempts = attempts + 1, next_attempt_at = ?, lease_until = NULL,
                last_error = ?, updated_at = ? WHERE key = ?
            """)
        // A new channel is a new message to a new gateway: its own key (the base key plus
        // the channel) and a fresh attempt budget; the row's history stays in delivery_attempts.
        moveToFallback = try database.prepare("""
            UPDATE outbox SET status = 'pending', channel = ?, address = ?, title = ?, body = ?, segments = ?,
                fallbacks = ?, idempotency_key = ?, attempts = 0, next_attempt_at = ?, lease_until = NULL,
                last_error = ?, updated_at = ? WHERE key = ? AND status = 'sending'
            """)
    }

    /// Claims up to `limit` rows of `channel` due at `now`, oldest first, leased until `leaseUntil`.
    public func claim(channel: String, limit: Int, now: Date, leaseUntil: Date) throws -> [ClaimedSend] {
        guard limit > 0 else { return [] }
        let kind = ChannelConfig.kind(ofName: channel) ?? .sms
        return try database.withTransaction {
            try selectDue.bind([.text(channel), .integer(now.epochSeconds), .integer(Int64(limit))])
            let consentColumn: Int32 = switch kind {
            case .sms: 12
            case .push: 13
            case .email: 14
            }
            var claimed: [ClaimedSend] = []
            while try selectDue.step() {
                let row = selectDue
                claimed.append(ClaimedSend(
                    key: row.integer(at: 0) ?? 0, triggerID: row.text(at: 1) ?? "", memberID: row.text(at: 2) ?? "",
                    category: Trigger.Category(rawValue: row.text(at: 3) ?? "") ?? .marketing,
                    channel: row.text(at: 4) ?? channel, channelKind: kind, address: row.text(at: 5) ?? "",
                    title: row.text(at: 6), text: row.text(at: 7) ?? "", idempotencyKey: row.text(at: 8) ?? "",
                    scheduledAt: row.instant(at: 9) ?? now, expiresAt: row.instant(at: 10),
                    attempts: Int(row.integer(at: 11) ?? 0),
                    consent: row.text(at: consentColumn).flatMap(Consent.init(text:)) ?? .unknown,
                    timeZoneIdentifier: row.text(at: 15), hasFallback: (row.integer(at: 16) ?? 0) != 0))
            }
            selectDue.reset()
            for send in claimed {
                try markSending.run(.integer(leaseUntil.epochSeconds), .integer(now.epochSeconds), .integer(send.key))
            }
            return claimed
        }
    }

    /// Returns rows whose lease ran out (their worker stopped mid-call) to the queue, due at
    /// once. The call may have reached the gateway, so it counts as an attempt (`lost`), and
    /// the retry carries the same idempotency key. Rows out of attempts fail. Returns how many.
    @discardableResult
    public func recoverExpiredLeases(now: Date, maxAttempts: Int) throws -> Int {
        try database.withTransaction {
            try selectExpiredLeases.bind([.integer(now.epochSeconds)])
            var expired: [(key: Int64, attempts: Int64)] = []
            while try selectExpiredLeases.step() {
                expired.append((selectExpiredLeases.integer(at: 0) ?? 0, selectExpiredLeases.integer(at: 1) ?? 0))
            }
            selectExpiredLeases.reset()
            let error = "lease expired: the worker stopped during the call"
            for row in expired {
                let status = row.attempts + 1 >= Int64(maxAttempts) ? "failed" : "pending"
                try markLost.run(.text(status), .integer(now.epochSeconds), .text(error), .integer(now.epochSeconds),
                             .integer(row.key))
                try insertAttempt.run(.integer(row.key), .integer(now.epochSeconds), .integer(now.epochSeconds), "lost",
                                      nil, .text(error), nil)
            }
            return expired.count
        }
    }

    /// Writes the outcomes of claimed rows, all in one transaction. A row no longer
    /// `sending` (an operator cancelled it meanwhile) keeps its status; its attempt is still recorded.
    public func record(_ records: [DeliveryRecord]) throws {
        guard !records.isEmpty else { return }
        try database.withTransaction {
            for record in records {
                try apply(record)
                try insertAttempt.run(
                    .integer(record.key), .integer(record.startedAt.epochSeconds), .integer(record.finishedAt.epochSeconds),
                    .text(record.outcome.name), .optional(record.httpStatus.map(Int64.init)), .optional(record.error),
                    .optional(record.latencyMilliseconds.map(Int64.init)))
            }
        }
    }

    private func apply(_ record: DeliveryRecord) throws {
        let now = SQLiteValue.integer(record.finishedAt.epochSeconds)
        let attempts: SQLiteValue = record.calledGateway ? 1 : 0
        let key = SQLiteValue.integer(record.key)
        switch record.outcome {
        case .sent(let providerID):
            if let providerID { try adoptEarlyReceipt.run(.text(providerID), key) }
            try markSent.run(attempts, .optional(providerID), now, key)
        case .retry(let at):
            try updateStatus.run("pending", attempts, .integer(at.epochSeconds), .optional(record.error), nil,
                                             now, key)
        case .rescheduled(let to):
            try updateStatus.run("pending", attempts, .integer(to.epochSeconds), nil, nil, now, key)
        case .failed, .cancelled, .expired:
            let status = record.outcome == .failed ? "failed" : record.outcome.name
            try updateStatus.run(.text(status), attempts, nil, .optional(record.error), nil, now, key)
        case .fallback:
            try selectFallbacks.bind([key])
            let found = try selectFallbacks.step()
            var fallbacks = OutboxFallbacks.decode(found ? selectFallbacks.text(at: 0) : nil)
            let baseKey = (found ? selectFallbacks.text(at: 1) : nil)?.split(separator: "/").first.map(String.init) ?? ""
            selectFallbacks.reset()
            guard !fallbacks.isEmpty else {
                try updateStatus.run("failed", attempts, nil, .optional(record.error), nil, now, key)
                return
            }
            let next = fallbacks.removeFirst()
            try moveToFallback.run(.text(next.channel), .text(next.address), .optional(next.title), .text(next.text),
                         .optional(next.segments.map(Int64.init)), .optional(OutboxFallbacks.encode(fallbacks)),
                         .text(baseKey + "/" + next.channel), now, .optional(record.error), now, key)
        }
    }

    /// Returns claimed rows to the queue untouched (graceful shutdown): due again at once.
    public func release(_ keys: [Int64], now: Date) throws {
        guard !keys.isEmpty else { return }
        try database.withTransaction {
            let statement = try database.prepare("""
                UPDATE outbox SET status = 'pending', lease_until = NULL, updated_at = ? WHERE key = ? AND status = 'sending'
                """)
            for key in keys { try statement.run(.integer(now.epochSeconds), .integer(key)) }
        }
    }

    /// Per channel, when the longest-waiting row that is due at `now` fell due: how far
    /// delivery lags (the metrics file's oldest-due age). Channels with nothing due are absent.
    public func oldestDue(now: Date) throws -> [String: Date] {
        let statement = try database.prepare("""
            SELECT channel, min(next_attempt_at) FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? GROUP BY channel
            """)
        try statement.bind([.integer(now.epochSeconds)])
        var oldest: [String: Date] = [:]
        while try statement.step() {
            oldest[statement.text(at: 0) ?? ""] = Date(epochSeconds: statement.integer(at: 1) ?? now.epochSeconds)
        }
        return oldest
    }

    /// When the next pending row falls due (nil: none pending).
    public func nextDueAt() throws -> Date? {
        try database.scalarInteger("SELECT min(next_attempt_at) FROM outbox WHERE status = 'pending'")
            .map(Date.init(epochSeconds:))
    }

    /// Rows per status (every status present, zero when none).
    public func depth() throws -> [String: Int] {
        var counts = Dictionary(uniqueKeysWithValues: OutboxStatus.allCases.map { ($0.rawValue, 0) })
        let statement = try database.prepare("SELECT status, count(*) FROM outbox GROUP BY status")
        while try statement.step() {
            counts[statement.text(at: 0) ?? ""] = Int(statement.integer(at: 1) ?? 0)
        }
        return counts
    }
}

/// The states of an outbox row (SPEC 4).
public enum OutboxStatus: String, Sendable, CaseIterable {
    case pending, sending, sent, delivered, failed, expired, cancelled
}
