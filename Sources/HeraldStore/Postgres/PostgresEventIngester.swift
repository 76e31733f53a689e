import Foundation
import HeraldCore

/// `ingest` on PostgreSQL: lines are read and checked exactly as on SQLite (`EventLineReader`),
/// the good ones streamed with `COPY` into a session's staging table, and each batch applied by
/// set-based statements with the effects `SQLEventIngester` gives them one event at a time
/// (SPEC 1.5): each id stored once, unknown members rejected, points earned and spent
/// first-expiring first, consent set by the latest event, balances, spend and activity summed,
/// clicks, redeems and purchases tied to their sends.
///
/// What depends on order is kept in order:
/// - a batch never holds an id twice: such a line closes the batch first;
/// - points spends are applied in rounds — every member's first spend of the batch, then
///   every second one, … — each round set-based, each spend seeing only the lots earned by
///   lines before it (event keys follow line order), as one at a time would;
/// - receipts are applied one at a time in line order (a later receipt wins, and a row's
///   status follows each in turn);
/// - rejections and warnings reach the sink in line order, at the end of their batch.
@_spi(StoreSQL) public final class PostgresEventIngester: EventIngester {
    private let database: PostgresDatabase
    private let clock: any WallClock
    private let batchSize: Int
    private let decoder: EventDecoder
    private let attribution: SendAttribution
    public var horizon: Date?
    public var oldestAccepted: Date?

    // The open batch.
    private var copy: PostgresCopy?
    private var staged: [(line: Int, raw: [UInt8])] = []
    private var idsInBatch: Set<String> = []
    /// Per member, the spends staged so far: a spend's round is one more.
    private var spendsByMember: [String: Int] = [:]
    private var spendRounds = 0
    private var consentChannels: Set<ChannelKind> = []
    private var receipts: [Int: EventRecord] = [:]
    private var hasPoints = false
    /// Rejections and warnings of the batch, emitted in line order when it is applied.
    private var notices: [(line: Int, notice: Notice)] = []
    private var ingestedAt: Int64 = 0
    private var totals = ImportSummary()

    private enum Notice {
        case rejected(RowRejection, raw: [UInt8])
        case warning(String)
    }

    init(database: PostgresDatabase, defaultTimeZone: TimeZone, clock: any WallClock, batchSize: Int) throws {
        self.database = database
        self.clock = clock
        self.batchSize = max(1, batchSize)
        decoder = EventDecoder(defaultTimeZone: defaultTimeZone)
        attribution = try SendAttribution(database: database)
    }

    public func ingest(from lines: LineReader, sink: any RejectedRowSink) throws -> ImportSummary {
        totals = ImportSummary()
        let transaction = BatchedTransaction(database: database, batchSize: batchSize, maximumHold: .seconds(2),
                                             beforeCommit: { [unowned self] in try applyBatch(sink) })
        let reader = EventLineReader(decoder: decoder, horizon: horizon, oldestAccepted: oldestAccepted)
        do {
            try reader.read(lines, { line, number, raw in
                totals.read += 1
                switch line {
                case .rejected(let rejection):
                    totals.rejected += 1
                    notices.append((number, .rejected(rejection, raw: raw)))
                case .deferred:
                    totals.deferred += 1
                case .event(let record):
                    if closesTheBatch(record) { try transaction.commit() }
                    if !transaction.hasOpenBatch {
                        try transaction.begin()
                        try openBatch()
                    }
                    try stage(record, line: number, raw: raw)
                    try transaction.unitDone()
                }
            }, idle: {
                // Standard input paused: what is staged lands, and what was refused is said now.
                try transaction.commit()
                if !transaction.hasOpenBatch { try emitNotices(sink) }
            })
            try transaction.commit()
            try emitNotices(sink)
            return totals
        } catch {
            copy?.abandon()
            copy = nil
            transaction.abandon()
            // The batch went with the transaction: the next ingest must not count or report it.
            resetBatch()
            notices.removeAll()
            throw error
        }
    }

    // MARK: Staging

    /// Whether `record` must wait for the batch before it: its id is in it.
    private func closesTheBatch(_ record: EventRecord) -> Bool {
        idsInBatch.contains(record.id)
    }

    private static let stagingColumns = """
        seq, line, id, member_id, type, at, amount, sku, category, reference, payload, activity, receipt, delta,
        earn_points, earn_expires, spend_points, spend_round, consent_channel, consent_value
        """

    private func openBatch() throws {
        try database.execute("""
            CREATE TEMP TABLE IF NOT EXISTS herald_event_rows (
                seq BIGINT NOT NULL, line BIGINT NOT NULL, id TEXT COLLATE "C" NOT NULL, member_id TEXT COLLATE "C",
                type TEXT COLLATE "C" NOT NULL, at BIGINT NOT NULL, amount BIGINT, sku TEXT COLLATE "C",
                category TEXT COLLATE "C", reference TEXT COLLATE "C", payload TEXT COLLATE "C" NOT NULL,
                activity BOOLEAN NOT NULL, receipt BOOLEAN NOT NULL, delta BIGINT, earn_points BIGINT,
                earn_expires BIGINT, spend_points BIGINT, spend_round BIGINT, consent_channel TEXT, consent_value TEXT,
                member_key BIGINT, event_key BIGINT);
            TRUNCATE herald_event_rows
            """)
        resetBatch()
        copy = try database.copy("COPY herald_event_rows (\(Self.stagingColumns)) FROM STDIN")
        ingestedAt = clock.now().epochSeconds
    }

    private func stage(_ record: EventRecord, line: Int, raw: [UInt8]) throws {
        guard let copy else { return }
        var delta: Int64?, earned: Int64?, expires: Int64?, spent: Int64?, channel: String?, consent: String?
        switch record.effect {
        case .none: break
        case .storedValue(let change): delta = change.fen
        case .pointsEarn(let points, let expiresAt): (earned, expires) = (points, expiresAt.epochSeconds)
        case .pointsSpend(let points): spent = points
        case .consent(let kind, let value): (channel, consent) = (kind.rawValue, value.storedValue)
        }
        // A member's n-th spend of the batch is applied in round n.
        var round: Int64?
        if spent != nil, let member = record.memberID {
            let count = (spendsByMember[member] ?? 0) + 1
            spendsByMember[member] = count
            spendRounds = max(spendRounds, count)
            round = Int64(count)
        }
        try copy.append([
            .integer(Int64(staged.count)), .integer(Int64(line)), .text(record.id), .optional(record.memberID),
            .text(record.type.rawValue), .integer(record.at.epochSeconds), .optional(record.amount?.fen),
            .optional(record.sku), .optional(record.category), .optional(record.reference), .text(record.payload),
            .text(record.type.countsAsActivity ? "t" : "f"), .text(record.type.isDeliveryReceipt ? "t" : "f"),
            .optional(delta), .optional(earned), .optional(expires), .optional(spent), .optional(round),
            .optional(channel), .optional(consent),
        ])
        if record.type.isDeliveryReceipt { receipts[staged.count] = record }
        staged.append((line, raw))
        idsInBatch.insert(record.id)
        if earned != nil || spent != nil { hasPoints = true }
        if case .consent(let kind, _) = record.effect { consentChannels.insert(kind) }
    }

    // MARK: Applying

    private func applyBatch(_ sink: any RejectedRowSink) throws {
        guard let copy else { return }
        self.copy = nil
        try copy.finish()
        // The planner knows nothing of a temporary table until it is analyzed: worth it for a large batch.
        if staged.count >= 1_000 { try database.execute("ANALYZE herald_event_rows") }
        try rejectUnknownMembers()
        let inserted = try database.planningEachRun("""
            WITH inserted AS (
                INSERT INTO events (id, member_key, type, at, amount, sku, category, reference, payload, ingested_at)
                SELECT id, member_key, type, at, amount, sku, category, reference, payload, ?1 FROM herald_event_rows
                WHERE member_key IS NOT NULL OR member_id IS NULL OR receipt ORDER BY seq
                ON CONFLICT (id) DO NOTHING RETURNING key, id)
            UPDATE herald_event_rows r SET event_key = i.key FROM inserted i WHERE r.id = i.id
            """).run(.integer(ingestedAt))
        let accepted = staged.count - rejectedInBatch
        totals.inserted += inserted
        totals.duplicates += accepted - inserted
        if inserted > 0 {
            if hasPoints { try applyPoints() }
            for channel in ChannelKind.allCases where consentChannels.contains(channel) { try applyConsent(channel) }
            try applyMemberState()
            try attributeClicksRedeemsAndPurchases()
            try applyReceipts()
        }
        resetBatch()
        try emitNotices(sink)
    }

    /// Nothing staged: after a batch is applied, or lost with its transaction.
    private func resetBatch() {
        staged.removeAll(keepingCapacity: true)
        idsInBatch.removeAll(keepingCapacity: true)
        spendsByMember.removeAll(keepingCapacity: true)
        spendRounds = 0
        consentChannels.removeAll()
        receipts.removeAll()
        hasPoints = false
        rejectedInBatch = 0
    }

    private var rejectedInBatch = 0

    /// Members the store does not know: their events are rejected (receipts are kept without one).
    private func rejectUnknownMembers() throws {
        try database.execute("""
            UPDATE herald_event_rows r SET member_key = m.key FROM members m WHERE m.id = r.member_id
            """)
        let unknown = database.planningEachRun("""
            SELECT seq, member_id FROM herald_event_rows
            WHERE member_key IS NULL AND member_id IS NOT NULL AND NOT receipt ORDER BY seq
            """)
        while try unknown.step() {
            guard let seq = unknown.integer(at: 0).map(Int.init), staged.indices.contains(seq) else { continue }
            let row = staged[seq]
            notices.append((row.line, .rejected(RowRejection(line: row.line,
                reason: SQLEventIngester.unknownMember(unknown.text(at: 1) ?? "")), raw: row.raw)))
            rejectedInBatch += 1
            totals.rejected += 1
        }
    }

    /// Lots earned, then the spends, round by round.
    private func applyPoints() throws {
        try database.execute("""
            INSERT INTO points_lots (member_key, event_key, points, remaining, earned_at, expires_at)
            SELECT member_key, event_key, earn_points, earn_points, at, earn_expires FROM herald_event_rows
            WHERE event_key IS NOT NULL AND earn_points IS NOT NULL ORDER BY seq
            """)
        for round in stride(from: 1, through: spendRounds, by: 1) { try applySpends(round: round) }
    }

    /// One round of spends (each member's `round`-th of the batch): each takes from the
    /// member's lots unexpired at its instant and earned by lines before it (smaller event
    /// keys: keys follow line order), first-expiring first, as far as they go; what no lot
    /// covers is a warning.
    private func applySpends(round: Int) throws {
        let spends = database.planningEachRun("""
            WITH spend AS (
                SELECT seq, member_key, spend_points AS points, at, event_key FROM herald_event_rows
                WHERE event_key IS NOT NULL AND spend_points IS NOT NULL AND spend_round = ?1),
            available AS (
                SELECT l.key, s.seq, l.remaining, s.points,
                    coalesce(sum(l.remaining) OVER (PARTITION BY s.seq ORDER BY l.expires_at, l.key
                        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before
                -- Each spend's own lots through points_lots_member, whatever the planner believes of a
                -- table a bulk load is growing (OFFSET 0 keeps the lookup per spend).
                FROM spend s CROSS JOIN LATERAL (
                    SELECT key, remaining, expires_at FROM points_lots
                    WHERE member_key = s.member_key AND remaining > 0 AND expires_at > s.at
                        AND event_key < s.event_key
                    ORDER BY expires_at, key OFFSET 0) l),
            taken AS (
                UPDATE points_lots p SET remaining = p.remaining - least(a.remaining, a.points - a.before)
                FROM available a WHERE p.key = a.key AND a.points > a.before
                RETURNING a.seq, least(a.remaining, a.points - a.before) AS took)
            SELECT s.seq, s.points, CAST(s.points - coalesce((SELECT sum(t.took) FROM taken t WHERE t.seq = s.seq), 0)
                AS BIGINT), r.member_id
            FROM spend s JOIN herald_event_rows r ON r.seq = s.seq
            """)
        try spends.bind([.integer(Int64(round))])
        while try spends.step() {
            guard let seq = spends.integer(at: 0).map(Int.init), staged.indices.contains(seq),
                  let unmatched = spends.integer(at: 2), unmatched > 0 else { continue }
            notices.append((staged[seq].line, .warning(SendAttribution.unmatchedSpend(
                points: spends.integer(at: 1) ?? 0, memberID: spends.text(at: 3) ?? "", unmatched: unmatched))))
        }
    }

    /// Each member's consent on `channel` as the batch's latest event on it says.
    private func applyConsent(_ channel: ChannelKind) throws {
        try database.planningEachRun("""
            UPDATE members m SET consent_\(channel.rawValue) = c.consent_value
            FROM (SELECT DISTINCT ON (member_key) member_key, consent_value FROM herald_event_rows
                  WHERE event_key IS NOT NULL AND consent_channel = ?1 ORDER BY member_key, seq DESC) c
            WHERE m.key = c.member_key
            """).run(.text(channel.rawValue))
    }

    /// What commutes, summed per member: latest activity, spend, stored value, latest top-up.
    /// Rows are not pre-locked in order: two ingests touching the same members at once can
    /// deadlock, PostgreSQL aborts one (40P01, `isBusy`), and re-running it is safe because
    /// event ids are deduplicated — cheaper than locking every member row twice per batch.
    private func applyMemberState() throws {
        let effects = """
            SELECT member_key, max(at) FILTER (WHERE activity) AS activity,
                coalesce(sum(amount) FILTER (WHERE type = 'purchase'), 0) AS spent, sum(delta) AS delta,
                max(at) FILTER (WHERE type = 'topup') AS topup
            FROM herald_event_rows WHERE event_key IS NOT NULL AND member_key IS NOT NULL
                AND (activity OR type = 'purchase' OR delta IS NOT NULL)
            GROUP BY member_key
            """
        try database.execute("""
            UPDATE member_state s SET
                last_event_at = CASE WHEN e.activity IS NULL THEN s.last_event_at
                    ELSE greatest(coalesce(s.last_event_at, e.activity), e.activity) END,
                last_activity_at = CASE WHEN e.activity IS NULL THEN s.last_activity_at
                    ELSE greatest(coalesce(s.last_activity_at, e.activity), e.activity) END,
                total_spent = s.total_spent + e.spent,
                stored_value = CASE WHEN e.delta IS NULL THEN s.stored_value
                    ELSE coalesce(s.stored_value, 0) + e.delta END,
                last_topup_at = CASE WHEN e.topup IS NULL THEN s.last_topup_at
                    ELSE greatest(coalesce(s.last_topup_at, e.topup), e.topup) END
            FROM (\(effects)) e WHERE s.member_key = e.member_key
            """)
    }

    /// Clicks (first click), redeems (first redeem within the coupon's validity) and purchases
    /// (the first in each send's and held-out occurrence's window) tied to their sends; clicks
    /// and redeems that name none are warnings.
    private func attributeClicksRedeemsAndPurchases() throws {
        try database.execute("""
            UPDATE outbox o SET clicked_at = least(coalesce(o.clicked_at, c.at), c.at)
            FROM (SELECT reference, min(at) AS at FROM herald_event_rows
                  WHERE event_key IS NOT NULL AND type = 'click' AND reference IS NOT NULL GROUP BY reference) c
            WHERE o.link_token = c.reference;
            UPDATE outbox o SET redeemed_at = least(coalesce(o.redeemed_at, d.at), d.at)
            FROM (SELECT reference, min(at) AS at FROM herald_event_rows
                  WHERE event_key IS NOT NULL AND type = 'redeem' AND reference IS NOT NULL GROUP BY reference) d
            WHERE o.coupon_code = d.reference AND d.at <= o.coupon_expires_at;
            UPDATE outbox o SET purchased_at = least(coalesce(o.purchased_at, x.first), x.first)
            FROM (SELECT s.key, min(p.at) AS first FROM herald_event_rows p JOIN outbox s ON s.member_key = p.member_key
                      AND s.scheduled_at < p.at AND s.attribution_until >= p.at
                  WHERE p.event_key IS NOT NULL AND p.type = 'purchase' GROUP BY s.key) x
            WHERE o.key = x.key;
            UPDATE occurrences h SET purchased_at = least(coalesce(h.purchased_at, x.first), x.first)
            FROM (SELECT s.trigger_id, s.member_key, s.occurrence_key, min(p.at) AS first
                  FROM herald_event_rows p JOIN occurrences s ON s.member_key = p.member_key AND s.outcome = 'held_out'
                      AND s.scheduled_at < p.at AND s.attribution_until >= p.at
                  WHERE p.event_key IS NOT NULL AND p.type = 'purchase'
                  GROUP BY s.trigger_id, s.member_key, s.occurrence_key) x
            WHERE h.trigger_id = x.trigger_id AND h.member_key = x.member_key AND h.occurrence_key = x.occurrence_key
            """)
        let unmatched = database.planningEachRun("""
            SELECT r.seq, r.type, r.reference, o.coupon_expires_at FROM herald_event_rows r
            LEFT JOIN outbox o ON (r.type = 'click' AND o.link_token = r.reference)
                OR (r.type = 'redeem' AND o.coupon_code = r.reference)
            WHERE r.event_key IS NOT NULL AND r.type IN ('click', 'redeem') AND r.reference IS NOT NULL
                AND (o.key IS NULL
                     OR (r.type = 'redeem' AND (o.coupon_expires_at IS NULL OR r.at > o.coupon_expires_at)))
            """)
        while try unmatched.step() {
            guard let seq = unmatched.integer(at: 0).map(Int.init), staged.indices.contains(seq),
                  let reference = unmatched.text(at: 2) else { continue }
            let message = switch (unmatched.text(at: 1), unmatched.integer(at: 3)) {
            case ("click", _): SendAttribution.unmatchedClick(reference)
            case (_, let expiry?): SendAttribution.lateRedeem(reference, expiredAt: expiry)
            default: SendAttribution.unknownCoupon(reference)
            }
            notices.append((staged[seq].line, .warning(message)))
        }
    }

    /// Receipts one at a time, in line order, as row by row.
    private func applyReceipts() throws {
        guard !receipts.isEmpty else { return }
        let stored = database.planningEachRun("""
            SELECT seq FROM herald_event_rows WHERE event_key IS NOT NULL AND receipt ORDER BY seq
            """)
        var seqs: [Int] = []
        while try stored.step() { if let seq = stored.integer(at: 0) { seqs.append(Int(seq)) } }
        for seq in seqs {
            guard let record = receipts[seq], case .unmatched(let message) = try attribution.attribute(record) else {
                continue
            }
            notices.append((staged[seq].line, .warning(message)))
        }
    }

    /// The batch's rejections and warnings, in line order.
    private func emitNotices(_ sink: any RejectedRowSink) throws {
        defer { notices.removeAll(keepingCapacity: true) }
        for (line, notice) in notices.sorted(by: { $0.line < $1.line }) {
            switch notice {
            case .rejected(let rejection, let raw): try sink.reject(rejection, raw: raw)
            case .warning(let message):
                totals.warnings += 1
                sink.warn(line: line, message: message)
            }
        }
    }
}
