import Foundation
import HeraldCore

/// The outbox as one worker's dispatcher sees it (SPEC 4–5): due rows claimed under a lease
/// that names the worker, calls started only after a re-check in the same transaction,
/// outcomes written back, and rows of a stopped worker returned to the queue.
///
/// Every method is one transaction — on SQLite under the store's write lock; on PostgreSQL
/// with the rows it decides about locked, claims and recoveries skipping rows another worker
/// holds (`FOR UPDATE SKIP LOCKED`) — so two workers never claim the same row, and a crash at
/// any instant leaves each row either claimed (and returned when its lease runs out) or not —
/// never lost. A live worker extends its own leases and never recovers its own rows; a
/// recovered row costs an attempt only if its call had started.
@_spi(StoreSQL) public final class SQLOutboxQueue: OutboxQueue {
    let database: any SQLDatabase
    /// Seals and opens addresses and texts when the store has keys.
    let store: SQLStore
    /// This worker's name on the leases it holds.
    public let owner: String
    private let claimDue: any SQLStatement
    private let selectClaimed: any SQLStatement
    private let extendOwnLeases: any SQLStatement
    private let selectExpiredLeases: any SQLStatement
    private let selectCallFacts: any SQLStatement
    private let markCallsStarted: any SQLStatement
    private let insertAttempt: any SQLStatement
    private let selectFallbacks: any SQLStatement
    private let updateStatus: any SQLStatement
    private let markLost: any SQLStatement
    private let markReturned: any SQLStatement
    private let releaseOwn: any SQLStatement
    private let moveToFallback: any SQLStatement
    private let issueCoupon: any SQLStatement
    private let returnAfterIssuance: any SQLStatement
    private let markSent: any SQLStatement
    private let adoptEarlyReceipt: any SQLStatement
    private let suppressAddress: any SQLStatement
    private let selectAddress: any SQLStatement
    private let selectRefusingMember: any SQLStatement
    /// Adopt early receipts, mark sent, record the attempt: for a chunk of plain accepted sends.
    private let sentStatements: [any SQLStatement]
    private let insertRefusalEvent: any SQLStatement

    /// The status a sent row has once `receipt` (an SQL expression) is known: the one place
    /// that maps receipts to statuses, for ingest and for the dispatcher.
    static func statusAfterReceipt(_ receipt: String) -> String {
        "CASE \(receipt) WHEN 'delivered' THEN 'delivered' WHEN 'undelivered' THEN 'failed' ELSE 'sent' END"
    }

    /// `last_error` once `receipt` is known: an undelivered receipt says so.
    static func lastErrorAfterReceipt(_ receipt: String) -> String {
        "CASE \(receipt) WHEN 'undelivered' THEN 'undelivered (receipt)' ELSE last_error END"
    }

    /// What every write that ends a lease clears.
    static let leaseEnded = "lease_until = NULL, lease_owner = NULL, call_started_at = NULL"

    /// `owner`: this worker's name on its leases, unique per process (`LeaseOwner.makeName()`).
    public init(store: SQLStore, owner: String = LeaseOwner.makeName()) throws {
        database = store.database
        self.store = store
        self.owner = owner
        let dialect = database.dialect
        // One statement claims a lane's batch (PostgreSQL: rows another worker is claiming are
        // skipped, not waited for); a second reads what the calls need.
        claimDue = try database.prepare("""
            UPDATE outbox SET status = 'sending', lease_owner = ?1, lease_until = ?2, call_started_at = NULL, updated_at = ?3
            WHERE key IN (SELECT key FROM outbox WHERE status = 'pending' AND channel = ?4 AND next_attempt_at <= ?3
                          ORDER BY next_attempt_at LIMIT ?5\(dialect.forUpdateSkipLocked(of: "outbox")))
            RETURNING key
            """)
        selectClaimed = try database.prepare("""
            SELECT o.key, o.trigger_id, m.id, o.category, o.channel, o.address, o.title, o.body, o.idempotency_key,
                   o.scheduled_at, o.expires_at, o.attempts, o.deferrals, o.fallbacks IS NOT NULL, o.deferred_since,
                   o.segments, o.provider_content, m.timezone, coalesce(o.link_token, h.link_token), o.html,
                   h.key, h.coupon_code, h.coupon_title, h.coupon_expires_at, h.coupon_issued_at, h.coupon_planned_code,
                   h.idempotency_key
            FROM outbox o JOIN members m ON m.key = o.member_key
                JOIN outbox h ON h.key = coalesce(o.companion_of, o.key)
            WHERE \(dialect.isOneOf("o.key", keysIn: "?1")) ORDER BY o.next_attempt_at, o.key
            """)
        extendOwnLeases = try database.prepare("""
            UPDATE outbox SET lease_until = ?1 WHERE status = 'sending' AND lease_owner = ?2
            """)
        selectExpiredLeases = try database.prepare("""
            SELECT key, attempts, call_started_at IS NOT NULL FROM outbox
            WHERE status = 'sending' AND lease_until <= ?1 AND (lease_owner IS NULL OR lease_owner != ?2)\(
                dialect.forUpdateSkipLocked(of: "outbox"))
            """)
        selectCallFacts = try database.prepare("""
            SELECT o.key, o.status = 'sending' AND o.lease_owner = ?2, m.consent_sms, m.consent_push, m.consent_email,
                   m.timezone, o.expires_at, EXISTS (SELECT 1 FROM address_suppressions a WHERE a.address = o.address),
                   m.consent_wechat
            FROM outbox o JOIN members m ON m.key = o.member_key
            WHERE \(dialect.isOneOf("o.key", keysIn: "?1"))\(dialect.forUpdate(of: "o"))
            """)
        markCallsStarted = try database.prepare("""
            UPDATE outbox SET call_started_at = ?1 WHERE \(dialect.isOneOf("key", keysIn: "?2"))
            """)
        insertAttempt = try database.prepare("""
            INSERT INTO delivery_attempts (outbox_key, attempt, started_at, finished_at, outcome, http_status, error,
                latency_ms, provider)
            VALUES (?1, (SELECT coalesce(max(attempt), 0) + 1 FROM delivery_attempts WHERE outbox_key = ?1),
                ?, ?, ?, ?, ?, ?, ?)
            """)
        selectFallbacks = try database.prepare("SELECT fallbacks, idempotency_key FROM outbox WHERE key = ?")
        updateStatus = try database.prepare("""
            UPDATE outbox SET status = ?1, attempts = attempts + ?2, deferrals = deferrals + ?3,
                deferred_since = CASE WHEN ?3 > 0 THEN coalesce(deferred_since, ?6) ELSE deferred_since END,
                next_attempt_at = coalesce(?4, next_attempt_at), last_error = coalesce(?5, last_error),
                updated_at = ?6, \(Self.leaseEnded)
            WHERE key = ?7 AND status = 'sending' AND lease_owner = ?8
            """)
        // A receipt may have come in before the gateway's answer was recorded: it is on the
        // row already (by key), or among the events (by the provider id just learnt). A row
        // whose lease was taken over meanwhile is still marked sent: that spares it a repeat.
        markSent = try database.prepare("""
            UPDATE outbox SET status = \(Self.statusAfterReceipt("receipt")), attempts = attempts + ?1,
                provider_id = coalesce(?2, provider_id), last_error = \(Self.lastErrorAfterReceipt("receipt")),
                updated_at = ?3, provider = ?5, cost_millifen = ?6, \(Self.leaseEnded)
            WHERE key = ?4 AND status IN ('sending', 'pending')
            """)
        adoptEarlyReceipt = try database.prepare("""
            UPDATE outbox SET (receipt, receipt_at) = (
                SELECT type, at FROM events WHERE type IN ('delivered', 'undelivered') AND reference = ?1
                ORDER BY at DESC LIMIT 1)
            WHERE key = ?2 AND receipt IS NULL
                AND EXISTS (SELECT 1 FROM events WHERE type IN ('delivered', 'undelivered') AND reference = ?1)
            """)
        selectAddress = try database.prepare("SELECT address FROM outbox WHERE key = ?")
        suppressAddress = try database.prepare("""
            INSERT INTO address_suppressions (address, kind, reason, provider, outbox_key, created_at)
            VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
            """)
        sentStatements = try Self.sentStatements(database)
        selectRefusingMember = try database.prepare("""
            SELECT m.key, m.id FROM outbox o JOIN members m ON m.key = o.member_key WHERE o.key = ?
            """)
        insertRefusalEvent = try database.prepare("""
            INSERT INTO events (id, member_key, type, at, payload, ingested_at) VALUES (?1, ?2, 'opt_out', ?3, ?4, ?3)
            ON CONFLICT (id) DO NOTHING
            """)
        markLost = try database.prepare("""
            UPDATE outbox SET status = ?1, attempts = attempts + 1, next_attempt_at = ?2, last_error = ?3,
                updated_at = ?2, \(Self.leaseEnded) WHERE key = ?4
            """)
        markReturned = try database.prepare("""
            UPDATE outbox SET status = 'pending', updated_at = ?1, \(Self.leaseEnded)
            WHERE key = ?2 AND status = 'sending' AND (lease_owner = ?3 OR CAST(?3 AS TEXT) IS NULL)
            """)
        releaseOwn = try database.prepare("""
            UPDATE outbox SET status = 'pending', updated_at = ?1, \(Self.leaseEnded)
            WHERE \(dialect.isOneOf("key", keysIn: "?2")) AND status = 'sending' AND lease_owner = ?3
            """)
        // A new channel is a new message to a new gateway: its own key (the base key plus
        // the channel) and a fresh attempt budget; the row's history stays in delivery_attempts.
        moveToFallback = try database.prepare("""
            UPDATE outbox SET status = 'pending', channel = ?, address = ?, title = ?, body = ?, segments = ?,
                provider_content = ?, html = ?, fallbacks = ?, idempotency_key = ?, attempts = 0, deferrals = 0, deferred_since = NULL,
                next_attempt_at = ?, last_error = ?,
                updated_at = ?, \(Self.leaseEnded) WHERE key = ? AND status = 'sending' AND lease_owner = ?
            """)
        issueCoupon = try database.prepare(Self.issueCouponSQL)
        returnAfterIssuance = try database.prepare(Self.returnAfterIssuanceSQL(leaseEnded: Self.leaseEnded))
    }

    /// Claims up to `limit` rows of `channel` due at `now`, oldest first, leased to this worker until `leaseUntil`.
    public func claim(channel: String, limit: Int, now: Date, leaseUntil: Date) throws -> [ClaimedSend] {
        guard limit > 0 else { return [] }
        let kind = ChannelConfig.kind(ofName: channel) ?? .sms
        return try database.withTransaction {
            try claimDue.bind([.text(owner), .integer(leaseUntil.epochSeconds), .integer(now.epochSeconds), .text(channel),
                               .integer(Int64(limit))])
            var keys: [Int64] = []
            while try claimDue.step() { if let key = claimDue.integer(at: 0) { keys.append(key) } }
            claimDue.reset()
            guard !keys.isEmpty else { return [] }
            try selectClaimed.bind([database.dialect.keyList(keys)])
            defer { selectClaimed.reset() }
            var claimed: [ClaimedSend] = []
            var unopened: [(key: Int64, problem: String)] = []
            while try selectClaimed.step() {
                let row = selectClaimed
                // A sealed value that does not open (altered in the store) fails its row alone.
                let opened: (address: String?, title: String?, text: String?, content: String?, html: String?)
                do {
                    opened = (try store.opened(row.text(at: 5)), try store.opened(row.text(at: 6)),
                              try store.opened(row.text(at: 7)), try store.opened(row.text(at: 16)),
                              try store.opened(row.text(at: 19)))
                } catch {
                    unopened.append((row.integer(at: 0) ?? 0, "\(error)"))
                    continue
                }
                var send = ClaimedSend(
                    key: row.integer(at: 0) ?? 0, triggerID: row.text(at: 1) ?? "", memberID: row.text(at: 2) ?? "",
                    category: Trigger.Category(rawValue: row.text(at: 3) ?? "") ?? .marketing,
                    channel: row.text(at: 4) ?? channel, channelKind: kind, address: opened.address ?? "",
                    title: opened.title, text: opened.text ?? "",
                    segments: row.integer(at: 15).map { Int(min(max($0, 0), 1000)) }, providerContent: opened.content,
                    idempotencyKey: row.text(at: 8) ?? "", scheduledAt: row.instant(at: 9) ?? now,
                    expiresAt: row.instant(at: 10),
                    attempts: Self.count(row.integer(at: 11)), deferrals: Self.count(row.integer(at: 12)),
                    deferredSince: row.instant(at: 14), hasFallback: (row.integer(at: 13) ?? 0) != 0,
                    timeZoneIdentifier: row.text(at: 17), linkToken: row.text(at: 18), html: opened.html)
                Self.readCoupon(row, from: 20, into: &send)
                claimed.append(send)
            }
            selectClaimed.reset()
            for row in unopened {
                try markLost.run(.text("failed"), .integer(now.epochSeconds), .text(row.problem), .integer(row.key))
            }
            return claimed
        }
    }

    /// A counter read from the store, bounded so that adding to it cannot trap whatever the
    /// store holds (a row edited by hand).
    private static func count(_ value: Int64?) -> Int { Int(min(max(value ?? 0, 0), 1_000_000)) }

    /// Moves the lease of every row this worker holds to `until`: rows still waiting for
    /// their turn stay this worker's however long a rate limit keeps them. Returns how many.
    @discardableResult
    public func extendLeases(until: Date) throws -> Int {
        try database.withTransaction {
            try extendOwnLeases.run(.integer(until.epochSeconds), .text(owner))
        }
    }

    /// Returns other workers' rows whose lease ran out (the worker stopped) to the queue, due
    /// at once. A row whose call had started may have reached the gateway: that counts as an
    /// attempt (`lost`; out of attempts → failed), and the retry carries the same key. A row
    /// never called goes back as it was. This worker's own rows are never touched here.
    @discardableResult
    public func recoverExpiredLeases(now: Date, maxAttempts: Int) throws -> OutboxRecovery {
        try database.withTransaction {
            try selectExpiredLeases.bind([.integer(now.epochSeconds), .text(owner)])
            var expired: [(key: Int64, attempts: Int, started: Bool)] = []
            while try selectExpiredLeases.step() {
                expired.append((selectExpiredLeases.integer(at: 0) ?? 0, Self.count(selectExpiredLeases.integer(at: 1)),
                                selectExpiredLeases.integer(at: 2) == 1))
            }
            selectExpiredLeases.reset()
            var recovery = OutboxRecovery()
            let error = "lease expired: the worker stopped during the call"
            for row in expired {
                guard row.started else {
                    try markReturned.run(.integer(now.epochSeconds), .integer(row.key), nil)
                    recovery.returned += 1
                    continue
                }
                let status = row.attempts + 1 >= maxAttempts ? "failed" : "pending"
                try markLost.run(.text(status), .integer(now.epochSeconds), .text(error), .integer(row.key))
                try insertAttempt.run(.integer(row.key), .integer(now.epochSeconds), .integer(now.epochSeconds), "lost",
                                      nil, .text(error), nil, nil)
                recovery.charged += 1
            }
            return recovery
        }
    }

    /// The re-check right before the calls, and the calls' start, in one transaction: for each
    /// row, reads consent, zone and expiry as they are now and asks `decide`. A row `decide`
    /// passes (nil) is marked started — from here a crash charges it an attempt; any other
    /// answer is written as the row's outcome. So an `opt_out` committed before this
    /// transaction means no call; one committed after it finds the call already on its way.
    public func startCalls(
        _ sends: [ClaimedSend], now: Date, decide: (ClaimedSend, CallFacts) -> (DeliveryRecord.Outcome, String)?
    ) throws -> [CallStart] {
        guard !sends.isEmpty else { return [] }
        return try database.withTransaction {
            // Every row's facts in one read (locked on PostgreSQL: a worker recovering leases waits).
            try selectCallFacts.bind([database.dialect.keyList(sends.map(\.key)), .text(owner)])
            // Per row this worker still holds: the facts, with each channel's consent.
            var facts: [Int64: (consents: [ChannelKind: Consent], facts: CallFacts)] = [:]
            while try selectCallFacts.step() {
                let row = selectCallFacts
                guard let key = row.integer(at: 0), row.integer(at: 1) == 1 else { continue }
                func consent(_ column: Int32) -> Consent { row.text(at: column).flatMap(Consent.init(text:)) ?? .unknown }
                facts[key] = ([.sms: consent(2), .push: consent(3), .email: consent(4), .wechat: consent(8)],
                              CallFacts(consent: .unknown, timeZoneIdentifier: row.text(at: 5), expiresAt: row.instant(at: 6),
                                        addressSuppressed: row.integer(at: 7) == 1))
            }
            selectCallFacts.reset()
            var starts: [CallStart] = []
            starts.reserveCapacity(sends.count)
            var started: [Int64] = []
            try database.withDeferredResults {
                for send in sends {
                    guard let held = facts[send.key] else {
                        starts.append(.notHeld)
                        continue
                    }
                    var fact = held.facts
                    fact.consent = held.consents[send.channelKind] ?? .unknown
                    if let (outcome, reason) = decide(send, fact) {
                        try write(DeliveryRecord(key: send.key, outcome: outcome, startedAt: now, finishedAt: now,
                                                 calledGateway: false, error: reason))
                        starts.append(.settled(outcome))
                    } else {
                        started.append(send.key)
                        starts.append(.call)
                    }
                }
                if !started.isEmpty {
                    try markCallsStarted.run(.integer(now.epochSeconds), database.dialect.keyList(started))
                }
            }
            return starts
        }
    }

    /// Writes the outcomes of claimed rows, all in one transaction. A row this worker no
    /// longer holds (an operator cancelled it, or its lease was recovered elsewhere) keeps
    /// its status — except that a `sent` is always kept, to spare the member a repeat; the
    /// attempt is recorded either way. Issued coupons are written after the rest, each on its
    /// own savepoint: a code another worker took meanwhile fails that row, not the batch.
    @discardableResult
    public func record(_ records: [DeliveryRecord]) throws -> Int {
        guard !records.isEmpty else { return 0 }
        return try database.withTransaction {
            try database.withDeferredResults {
                try recordSent(records.filter(Self.isPlainSent), with: sentStatements)
                for record in records where !Self.isPlainSent(record) && record.issuedCouponCode == nil {
                    try write(record)
                }
            }
            return try records.reduce(0) { issued, record in
                try issued + (record.issuedCouponCode.map { try writeIssuance(record, code: $0) } ?? 0)
            }
        }
    }

    /// An issued coupon on its own savepoint; 1 when this record issued it, 0 when a
    /// companion's already had or the code is taken (the row then fails without a message).
    private func writeIssuance(_ record: DeliveryRecord, code: String) throws -> Int {
        let now = SQLValue.integer(record.finishedAt.epochSeconds)
        let key = SQLValue.integer(record.key)
        var issued = 0
        do {
            issued = try database.withTransaction { try issueCoupon.run(.text(code), now, key) }
        } catch let failure as any StoreFailure where failure.isConstraintViolation {
            // Taken between the guard and the write (two workers, one code): not issued.
        }
        try returnAfterIssuance.run(now, key, .text(owner), .text(Self.codeTaken(code)))
        try insertAttempt(of: record)
        return issued
    }

    private func write(_ record: DeliveryRecord) throws {
        // The address effects first: `apply` may move the row to its fallback's channel and
        // address, and these are about the address that was called.
        try applyAddressEffects(record)
        try apply(record)
        let started = SQLValue.integer(record.startedAt.epochSeconds)
        let finished = SQLValue.integer(record.finishedAt.epochSeconds)
        for earlier in record.earlierTries {
            try insertAttempt.run(.integer(record.key), started, finished, "failover",
                                  .optional(earlier.httpStatus.map(Int64.init)), .optional(earlier.error),
                                  .optional(earlier.latencyMilliseconds.map(Int64.init)), .text(earlier.provider))
        }
        try insertAttempt(of: record)
    }

    private func insertAttempt(of record: DeliveryRecord) throws {
        try insertAttempt.run(
            .integer(record.key), .integer(record.startedAt.epochSeconds), .integer(record.finishedAt.epochSeconds),
            .text(record.outcome.name), .optional(record.httpStatus.map(Int64.init)), .optional(record.error),
            .optional(record.latencyMilliseconds.map(Int64.init)), .optional(record.provider))
    }

    /// Suppression, clearing and consent withdrawal, as the answer about the row's address asks.
    private func applyAddressEffects(_ record: DeliveryRecord) throws {
        let finished = SQLValue.integer(record.finishedAt.epochSeconds)
        // The address called, as given and as stored; read only when an effect is about it.
        var stored: String?, plain: String?
        if record.suppressesAddress != nil || record.clearsAddress != nil {
            try selectAddress.bind([.integer(record.key)])
            stored = try selectAddress.step() ? selectAddress.text(at: 0) : nil
            selectAddress.reset()
            plain = try store.opened(stored)
        }
        if let kind = record.suppressesAddress, let stored {
            // In every form the list still keeps (more than one while keys rotate).
            let written = try plain.map(store.storedFormsForWriting(of:)) ?? [stored]
            for form in written where !form.isEmpty {
                try suppressAddress.run(.text(form), .text(kind.rawValue), .text(record.error ?? "recipient-permanent"),
                                        .optional(record.provider), .integer(record.key), finished)
            }
        }
        // Every form the member's row may hold it in, whichever key it is under yet.
        if let kind = record.clearsAddress, let stored {
            let forms = plain.map(store.storedForms(of:)) ?? [stored]
            let column = AddressColumn.all.first { $0.kind == kind }!.address
            // Only if the member still has that address: a newer one imported meanwhile stays.
            try database.prepare("""
                UPDATE members SET \(column) = NULL
                WHERE key = (SELECT member_key FROM outbox WHERE key = ?)
                    AND \(column) IN (\(Array(repeating: "?", count: forms.count).joined(separator: ", ")))
                """).run([.integer(record.key)] + forms.map { .text($0) })
        }
        if let kind = record.withdrawsConsent {
            // As an opt_out event would (consent and its history), in the same transaction.
            try selectRefusingMember.bind([.integer(record.key)])
            let found = try selectRefusingMember.step()
            let memberKey = selectRefusingMember.integer(at: 0), memberID = selectRefusingMember.text(at: 1)
            selectRefusingMember.reset()
            guard found, let memberKey, let memberID else { return }
            try database.prepare("UPDATE members SET consent_\(kind.rawValue) = 'no' WHERE key = ?")
                .run(.integer(memberKey))
            // The event as `herald ingest` would store the line: its payload is that line.
            let id = "refused-\(record.key)"
            let payload = JSONOutput.object([
                ("id", .string(id)), ("member_id", .string(memberID)), ("type", "opt_out"),
                ("channel", .string(kind.rawValue)), ("at", .string(InstantFormatter.utcString(from: record.finishedAt))),
                ("source", record.provider.map(JSONOutput.string) ?? .null),
                ("reason", record.error.map(JSONOutput.string) ?? .null),
            ]).rendered()
            try insertRefusalEvent.run(.text(id), .integer(memberKey), finished, .text(payload))
        }
    }

    private func apply(_ record: DeliveryRecord) throws {
        let now = SQLValue.integer(record.finishedAt.epochSeconds)
        let attempts: SQLValue = record.chargesAttempt ? 1 : 0
        let key = SQLValue.integer(record.key)
        let owner = SQLValue.text(self.owner)
        func update(_ status: String, deferrals: SQLValue = 0, dueAt: Date? = nil,
                    error: String? = record.error) throws {
            try updateStatus.run(.text(status), attempts, deferrals, .optional(dueAt.map(\.epochSeconds)),
                                 .optional(error), now, key, owner)
        }
        switch record.outcome {
        case .sent(let providerID):
            if let providerID { try adoptEarlyReceipt.run(.text(providerID), key) }
            try markSent.run(attempts, .optional(providerID), now, key, .optional(record.provider),
                             .optional(record.costMillifen))
        case .retry(let at):
            try update("pending", dueAt: at)
        case .deferred(let until):
            try update("pending", deferrals: 1, dueAt: until)
        case .rescheduled(let to):
            try update("pending", dueAt: to, error: nil)
        case .released:
            try update("pending", dueAt: record.finishedAt, error: nil)
        case .failed, .cancelled, .expired:
            try update(record.outcome.name)
        case .couponIssued:
            break  // written by writeIssuance, which tells whether it issued
        case .fallback:
            try selectFallbacks.bind([key])
            let found = try selectFallbacks.step()
            var fallbacks = OutboxFallbacks.decode(found ? try store.opened(selectFallbacks.text(at: 0)) : nil)
            let baseKey = (found ? selectFallbacks.text(at: 1) : nil)?.split(separator: "/").first.map(String.init) ?? ""
            selectFallbacks.reset()
            guard !fallbacks.isEmpty else {
                try update("failed")
                return
            }
            let next = fallbacks.removeFirst()
            try moveToFallback.run(.text(next.channel), .optional(store.storedAddress(next.address)),
                                   .optional(store.storedText(next.title)), .optional(store.storedText(next.text)),
                                   .optional(next.segments.map(Int64.init)), .optional(store.storedText(next.providerContent)),
                                   .optional(store.storedText(next.html)),
                                   .optional(store.storedText(OutboxFallbacks.encode(fallbacks))), .text(baseKey + "/" + next.channel),
                                   now, .optional(record.error), now, key, owner)
        }
    }

    /// Returns this worker's claimed rows to the queue untouched (graceful shutdown, rows
    /// never called): due again at once, no attempt spent.
    public func release(_ keys: [Int64], now: Date) throws {
        guard !keys.isEmpty else { return }
        try database.withTransaction {
            try releaseOwn.run(.integer(now.epochSeconds), database.dialect.keyList(keys), .text(owner))
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
