import Foundation
import HeraldCore

/// Streams events (NDJSON) into the store and applies their effects (SPEC 1.5).
///
/// An event id already stored is a duplicate and has no effect again, so ingesting a
/// file twice changes nothing. Each batch's events and their effects commit in one
/// transaction; per-member scalar effects (last activity, spend, stored value) are summed
/// per batch and written once per member, because they commute. Consent flips and points
/// apply in arrival order. Events for a member id the store does not know are rejected:
/// import members first, then re-ingest the rejects file. Clicks, redeems and receipts are
/// tied to their send as they land (`SendAttribution`).
@_spi(StoreSQL) public final class SQLEventIngester: EventIngester {
    private let store: SQLStore
    private let clock: any WallClock
    private let batchSize: Int
    private let decoder: EventDecoder
    private let findMember: any SQLStatement
    private let insertEvent: any SQLStatement
    private let updateConsent: [ChannelKind: any SQLStatement]
    private let insertLot: any SQLStatement
    private let spendableLots: any SQLStatement
    private let takeFromLot: any SQLStatement
    private let applyEffects: any SQLStatement
    private let attribution: SendAttribution
    /// Member keys looked up in this batch; cleared at each commit so memory stays bounded.
    private var memberKeys: [String: Int64] = [:]
    private var pendingEffects: [Int64: MemberEffects] = [:]
    private var warnings = 0
    /// `ingested_at` for the current batch: one clock read per batch, not per event.
    private var ingestedAt: Int64 = 0

    /// The effects that commute, summed per member until the batch commits.
    private struct MemberEffects: Equatable {
        var lastActivity: Int64?
        var spent: Int64 = 0
        var storedValueDelta: Int64?
        var lastTopup: Int64?
    }

    /// Events after this instant are skipped and counted as `deferred`: the sandbox ingests
    /// its history before the simulated day and the rest of the file after it. Nil: everything.
    public var horizon: Date?
    public var oldestAccepted: Date?

    public init(store: SQLStore, defaultTimeZone: TimeZone, clock: any WallClock, batchSize: Int = 100_000) throws {
        self.store = store
        self.clock = clock
        self.batchSize = batchSize
        self.decoder = EventDecoder(defaultTimeZone: defaultTimeZone)
        let database = store.database
        attribution = try SendAttribution(database: database)
        findMember = try database.prepare("SELECT key FROM members WHERE id = ?")
        insertEvent = try database.prepare("""
            INSERT INTO events (id, member_key, type, at, amount, sku, category, reference, payload, ingested_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING RETURNING key
            """)
        var consentStatements: [ChannelKind: any SQLStatement] = [:]
        for channel in ChannelKind.allCases {
            consentStatements[channel] = try database.prepare("UPDATE members SET consent_\(channel.rawValue) = ? WHERE key = ?")
        }
        updateConsent = consentStatements
        insertLot = try database.prepare("""
            INSERT INTO points_lots (member_key, event_key, points, remaining, earned_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)
            """)
        spendableLots = try database.prepare("""
            SELECT key, remaining FROM points_lots
            WHERE member_key = ? AND remaining > 0 AND expires_at > ? ORDER BY expires_at, key
            """)
        takeFromLot = try database.prepare("UPDATE points_lots SET remaining = remaining - ? WHERE key = ?")
        let dialect = database.dialect
        applyEffects = try database.prepare("""
            UPDATE member_state SET
                last_event_at = CASE WHEN CAST(?1 AS BIGINT) IS NULL THEN last_event_at
                    ELSE \(dialect.greatest("coalesce(last_event_at, ?1)", "?1")) END,
                last_activity_at = CASE WHEN ?1 IS NULL THEN last_activity_at
                    ELSE \(dialect.greatest("coalesce(last_activity_at, ?1)", "?1")) END,
                total_spent = total_spent + ?2,
                stored_value = CASE WHEN CAST(?3 AS BIGINT) IS NULL THEN stored_value
                    ELSE coalesce(stored_value, 0) + CAST(?3 AS BIGINT) END,
                last_topup_at = CASE WHEN CAST(?4 AS BIGINT) IS NULL THEN last_topup_at
                    ELSE \(dialect.greatest("coalesce(last_topup_at, ?4)", "?4")) END
            WHERE member_key = ?5
            """)
    }

    public func ingest(from lines: LineReader, sink: any RejectedRowSink) throws -> ImportSummary {
        let transaction = BatchedTransaction(database: store.database, batchSize: batchSize) { [unowned self] in
            try flushEffects()
            ingestedAt = clock.now().epochSeconds
        }
        var summary = ImportSummary()
        warnings = 0
        ingestedAt = clock.now().epochSeconds
        // Every key this ingester writes was read from the same transaction (the member
        // looked up by id, the event just inserted), so SQLite's per-row foreign-key probes are
        // redundant; they cost 9% of ingest time. Enforcement is back on when it returns.
        // (Inside a transaction already open — the edge's group commit — SQLite ignores the
        // pragma and keeps checking: small callbacks, so the 9% does not matter there.)
        let isSQLite = store.database.dialect == .sqlite
        if isSQLite { try store.database.execute("PRAGMA foreign_keys = OFF") }
        defer { if isSQLite { try? store.database.execute("PRAGMA foreign_keys = ON") } }
        let reader = EventLineReader(decoder: decoder, horizon: horizon, oldestAccepted: oldestAccepted)
        do {
            try reader.read(lines, { line, number, raw in
                summary.read += 1
                try transaction.begin()
                do {
                    switch line {
                    case .event(let record):
                        if try storeEvent(record, line: number, sink: sink) {
                            summary.inserted += 1
                        } else {
                            summary.duplicates += 1
                        }
                    case .rejected(let rejection):
                        throw rejection
                    case .deferred:
                        summary.deferred += 1
                    }
                } catch let rejection as RowRejection {
                    summary.rejected += 1
                    var located = rejection
                    located.line = number
                    try sink.reject(located, raw: raw)
                }
                try transaction.unitDone()
            }, idle: transaction.commit)
            try transaction.commit()
            summary.warnings = warnings
            return summary
        } catch {
            transaction.abandon()
            // The batch's effects went with it; the next call must not apply them.
            pendingEffects.removeAll(keepingCapacity: true)
            memberKeys.removeAll(keepingCapacity: true)
            throw error
        }
    }

    /// Stores the event and applies its effects; false when its id was already stored.
    private func storeEvent(_ record: EventRecord, line: Int, sink: any RejectedRowSink) throws -> Bool {
        var memberKey: Int64?
        if let memberID = record.memberID {
            memberKey = try key(ofMember: memberID)
            if memberKey == nil && !record.type.isDeliveryReceipt {
                throw RowRejection(line: line, reason: Self.unknownMember(memberID))
            }
        }
        insertEvent.reset()
        try insertEvent.bind(record.id, at: 1)
        try insertEvent.bind(memberKey, at: 2)
        try insertEvent.bind(record.type.rawValue, at: 3)
        try insertEvent.bind(record.at.epochSeconds, at: 4)
        try insertEvent.bind(record.amount?.fen, at: 5)
        try insertEvent.bind(record.sku, at: 6)
        try insertEvent.bind(record.category, at: 7)
        try insertEvent.bind(record.reference, at: 8)
        try insertEvent.bind(record.payload, at: 9)
        try insertEvent.bind(ingestedAt, at: 10)
        guard try insertEvent.step(), let eventKey = insertEvent.integer(at: 0) else {
            insertEvent.reset()
            return false
        }
        insertEvent.reset()
        if case .unmatched(let message) = try attribution.attribute(record) {
            warnings += 1
            sink.warn(line: line, message: message)
        }
        guard let memberKey else { return true }

        let at = record.at.epochSeconds
        let pending = pendingEffects[memberKey] ?? MemberEffects()
        var effects = pending
        if record.type.countsAsActivity { effects.lastActivity = max(effects.lastActivity ?? at, at) }
        if record.type == .purchase {
            if let amount = record.amount { effects.spent += amount.fen }
            try attribution.attributePurchase(memberKey: memberKey, at: at)
        }
        if case .storedValue(let delta) = record.effect {
            effects.storedValueDelta = (effects.storedValueDelta ?? 0) + delta.fen
            if record.type == .topup { effects.lastTopup = max(effects.lastTopup ?? at, at) }
        }
        if effects != pending { pendingEffects[memberKey] = effects }

        switch record.effect {
        case .none, .storedValue:
            break
        case .consent(let channel, let consent):
            try updateConsent[channel]!.run(consent.storedValue.map(SQLValue.text) ?? .null, .integer(memberKey))
        case .pointsEarn(let points, let expiresAt):
            try insertLot.run(.integer(memberKey), .integer(eventKey), .integer(points), .integer(points), .integer(at),
                              .integer(expiresAt.epochSeconds))
        case .pointsSpend(let points):
            let unmatched = try spendPoints(points, of: memberKey, at: at)
            if unmatched > 0 {
                warnings += 1
                sink.warn(line: line, message: SendAttribution.unmatchedSpend(points: points, memberID: record.memberID ?? "",
                                                                              unmatched: unmatched))
            }
        }
        return true
    }

    /// Why an event of a member the store does not know is rejected (both backends).
    static func unknownMember(_ id: String) -> String { "member_id: unknown member '\(id)' (import members first)" }

    /// Takes `points` from the member's unexpired lots, first-expiring first; returns what could not be matched.
    private func spendPoints(_ points: Int64, of memberKey: Int64, at: Int64) throws -> Int64 {
        var lots: [(key: Int64, remaining: Int64)] = []
        try spendableLots.bind([.integer(memberKey), .integer(at)])
        var needed = points
        while needed > 0, try spendableLots.step() {
            let remaining = spendableLots.integer(at: 1) ?? 0
            lots.append((spendableLots.integer(at: 0) ?? 0, min(remaining, needed)))
            needed -= min(remaining, needed)
        }
        spendableLots.reset()
        for lot in lots { try takeFromLot.run(.integer(lot.remaining), .integer(lot.key)) }
        return needed
    }

    private func key(ofMember id: String) throws -> Int64? {
        if let known = memberKeys[id] { return known }
        try findMember.bind([.text(id)])
        let found = try findMember.step() ? findMember.integer(at: 0) : nil
        findMember.reset()
        if let found { memberKeys[id] = found }
        return found
    }

    /// Writes the batch's summed effects, in member-key order: one forward pass over the
    /// member_state table instead of a random page per member.
    private func flushEffects() throws {
        for (memberKey, effects) in pendingEffects.sorted(by: { $0.key < $1.key }) {
            try applyEffects.run(.optional(effects.lastActivity), .integer(effects.spent), .optional(effects.storedValueDelta),
                                 .optional(effects.lastTopup), .integer(memberKey))
        }
        pendingEffects.removeAll(keepingCapacity: true)
        memberKeys.removeAll(keepingCapacity: true)
    }
}
