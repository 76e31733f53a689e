import Foundation
import HeraldCore

/// Writes what an evaluation decides (SPEC 4), one decision at a time as the scheduler takes
/// it (an `EvaluationSink`, so run's memory stays flat however many are planned): each planned
/// send as one outbox row in the same transaction as its occurrence, each held-out member as
/// an occurrence alone, and each other suppression (not `duplicate`) as one row per occurrence
/// for the report. Writes go through the connection the scheduler's send history reads, so
/// caps and duplicates see every decision already taken, committed or not.
///
/// A quarter second of sends (at most `batchSize`) shares a transaction: the store's write lock
/// is never held longer (delivery waits at most that), while each commit carries thousands of
/// rows — the random-key indexes (idempotency key, link token, coupon) rewrite a page per row
/// and commit, so 500-row batches made a 1M-member tick 40 s and quarter-second ones 32 s. A
/// crash loses at most the open batch — whose occurrences are gone with it, so the next
/// evaluation plans those sends again. An occurrence already in the store (another worker,
/// an earlier run) writes nothing: the unique key (trigger, member, occurrence) makes
/// re-running an evaluation a no-op.
///
/// On PostgreSQL every write is sent without waiting for its answer (`runDeferred`): the
/// answers travel back with the next read — the send history's probe for the next candidate
/// — so a decision costs the round trips of its reads alone. A planned send is one statement
/// there (the occurrence and its outbox row, `planOccurrenceAndSend`); the counts in the
/// summary are taken as the answers arrive, all of them by `finish()`.
@_spi(StoreSQL) public final class SQLOutboxWriter: OutboxWriter {
    public typealias Summary = OutboxWriteSummary

    private let database: any SQLDatabase
    /// Seals addresses and texts when the store has keys.
    private let store: SQLStore
    private let instant: Date
    private let batch: BatchedTransaction
    private var summary = Summary()
    private let insertOccurrence: any SQLStatement
    private let insertSend: any SQLStatement
    /// PostgreSQL: the occurrence and its send in one statement, sent without waiting
    /// (`runDeferred`), so a planned send costs no round trip of its own.
    private let planOccurrenceAndSend: (any SQLStatement)?
    private let insertCompanion: any SQLStatement
    private let upsertSuppression: any SQLStatement

    /// A writer for the evaluation at `instant`: it stamps what it writes with that instant.
    public init(store: SQLStore, at instant: Date, batchSize: Int = 10_000) throws {
        database = store.database
        self.store = store
        self.instant = instant
        batch = BatchedTransaction(database: store.database, batchSize: batchSize)
        // A purchase ingested before the send was planned (an event dated ahead, a late evaluation)
        // is attributed here; later ones at ingest (SendAttribution). Only held-out occurrences
        // need it: a planned one's send carries its own.
        insertOccurrence = try database.prepare("""
            INSERT INTO occurrences (trigger_id, member_key, occurrence_key, outcome, variant, evaluated_at,
                scheduled_at, local_day, attribution_until, purchased_at)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,
                CASE ?4 WHEN 'held_out'
                    THEN \(SendAttribution.firstPurchase(member: "?2", after: "?7", until: "?9")) END)
            ON CONFLICT DO NOTHING RETURNING 1
            """)
        // A companion (`deliver: "all"`): its own channel, address, text and key; the link token,
        // coupon and attribution stay on the primary row, which clicks and redeems find.
        insertCompanion = try database.prepare("""
            INSERT INTO outbox (trigger_id, member_key, occurrence_key, idempotency_key, category, channel, address,
                template, variant, title, body, segments, scheduled_at, expires_at, next_attempt_at, created_at,
                updated_at, local_day, attribution_until, provider_content, html, companion_of, purchased_at)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?13, ?15, ?15, ?16, ?17, ?18, ?19, ?20,
                \(SendAttribution.firstPurchase(member: "?2", after: "?13", until: "?17")))
            """)
        let sendColumns = """
            trigger_id, member_key, occurrence_key, idempotency_key, category, channel, address,
                template, variant, title, body, segments, link_token, coupon_code, coupon_title, coupon_expires_at,
                scheduled_at, expires_at, next_attempt_at, created_at, updated_at, fallbacks, local_day,
                attribution_until, provider_content, purchased_at, link_targets, html
            """
        let sendValues = """
            ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22,
                ?23, ?24, ?25, \(SendAttribution.firstPurchase(member: "?2", after: "?17", until: "?24")), ?26, ?27
            """
        insertSend = try database.prepare("INSERT INTO outbox (\(sendColumns)) VALUES (\(sendValues)) RETURNING key")
        // The send's own parameters name the occurrence's: ?9 variant, ?20 now, ?17 scheduled,
        // ?23 local day, ?24 attribution. No occurrence inserted (already recorded): no send.
        planOccurrenceAndSend = database.dialect == .postgres ? try database.prepare("""
            WITH occurrence AS (
                INSERT INTO occurrences (trigger_id, member_key, occurrence_key, outcome, variant, evaluated_at,
                    scheduled_at, local_day, attribution_until)
                VALUES (?1, ?2, ?3, 'planned', ?9, ?20, ?17, ?23, ?24)
                ON CONFLICT DO NOTHING RETURNING 1)
            INSERT INTO outbox (\(sendColumns)) SELECT \(sendValues) FROM occurrence
            RETURNING key
            """) : nil
        // RETURNING reports the row only when it was inserted (`first_at` = now), so new ones can be counted.
        // A member suppressed for the same reason at every tick writes nothing: `last_at` is when
        // the reason last changed, so a tick with nothing new stays a read.
        upsertSuppression = try database.prepare("""
            INSERT INTO suppressions (trigger_id, member_key, occurrence_key, reason, local_day, first_at, last_at)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)
            ON CONFLICT (trigger_id, member_key, occurrence_key)
                DO UPDATE SET reason = excluded.reason, last_at = excluded.last_at
                WHERE \(database.dialect.isDistinct("suppressions.reason", "excluded.reason"))
            RETURNING first_at = last_at
            """)
    }

    /// Writes a whole collected evaluation (tests, the benchmark's fixtures).
    @discardableResult
    public static func write(_ evaluation: Evaluation, to store: SQLStore) throws -> Summary {
        let writer = try SQLOutboxWriter(store: store, at: evaluation.instant)
        do {
            for send in evaluation.planned { try writer.plan(send) }
            for suppression in evaluation.suppressed { try writer.suppress(suppression) }
            return try writer.finish()
        } catch {
            writer.abandon()
            throw error
        }
    }

    public var recordsIntoStore: Bool { true }

    public func plan(_ send: PlannedSend) throws {
        try batch.begin()
        if let planOccurrenceAndSend {
            // Companions need the primary's key now; a plain send's answer can wait.
            if send.companions.isEmpty {
                try planOccurrenceAndSend.runDeferred(sendValues(send)) { [self] key in countPlanned(key != nil) }
            } else {
                try planOccurrenceAndSend.bind(sendValues(send))
                let primary = try planOccurrenceAndSend.step() ? planOccurrenceAndSend.integer(at: 0) : nil
                planOccurrenceAndSend.reset()
                if let primary { try insertCompanions(of: send, primary: primary) }
                countPlanned(primary != nil)
            }
        } else if try recordOccurrence(send.triggerID, send.memberKey, send.occurrenceKey, outcome: "planned",
                                       variant: send.variant, scheduledAt: send.scheduledAt,
                                       localDay: send.localDay, attributionUntil: send.attributionUntil) {
            try insert(send)
            countPlanned(true)
        } else {
            countPlanned(false)
        }
        try batch.unitDone()
    }

    private func countPlanned(_ written: Bool) {
        if written { summary.written += 1 } else { summary.alreadyRecorded += 1 }
    }

    public func suppress(_ suppression: Suppression) throws {
        guard suppression.reason != .duplicate else {
            // Nothing to write, but the time goes on: a long run of duplicates must not keep
            // the open batch (and the write lock) past its quarter second.
            try batch.commitIfHeldTooLong()
            return
        }
        try batch.begin()
        if suppression.reason != .holdout {
            try record(suppression)
        } else {
            let scheduledAt = suppression.scheduledAt ?? instant
            try recordHeldOut(suppression.triggerID, suppression.memberKey, suppression.occurrenceKey,
                              scheduledAt: scheduledAt, localDay: LocalTime.date(of: scheduledAt, in: suppression.timeZone),
                              attributionUntil: suppression.attributionUntil ?? instant)
        }
        try batch.unitDone()
    }

    public func triggerStarts() throws {
        try batch.commit()
    }

    /// Commits the open batch; what was written in all.
    public func finish() throws -> Summary {
        try batch.commit()
        return summary
    }

    /// Rolls back the open batch after a failure (earlier batches stay: their occurrences
    /// are recorded, so the next evaluation goes on from there).
    public func abandon() {
        batch.abandon()
    }

    /// Records the occurrence; false when it was already there (nothing is written then).
    private func recordOccurrence(_ triggerID: String, _ memberKey: Int64, _ occurrenceKey: String, outcome: String,
                                  variant: String?, scheduledAt: Date, localDay: CivilDate,
                                  attributionUntil: Date) throws -> Bool {
        try insertOccurrence.run(occurrenceValues(triggerID, memberKey, occurrenceKey, outcome: outcome, variant: variant,
                                                  scheduledAt: scheduledAt, localDay: localDay,
                                                  attributionUntil: attributionUntil)) == 1
    }

    /// A held-out occurrence, counted when its answer comes.
    private func recordHeldOut(_ triggerID: String, _ memberKey: Int64, _ occurrenceKey: String, scheduledAt: Date,
                               localDay: CivilDate, attributionUntil: Date) throws {
        let values = occurrenceValues(triggerID, memberKey, occurrenceKey, outcome: "held_out", variant: nil,
                                      scheduledAt: scheduledAt, localDay: localDay, attributionUntil: attributionUntil)
        try insertOccurrence.runDeferred(values) { [self] inserted in
            if inserted != nil { summary.heldOut += 1 } else { summary.alreadyRecorded += 1 }
        }
    }

    private func occurrenceValues(_ triggerID: String, _ memberKey: Int64, _ occurrenceKey: String, outcome: String,
                                  variant: String?, scheduledAt: Date, localDay: CivilDate,
                                  attributionUntil: Date) -> [SQLValue] {
        [.text(triggerID), .integer(memberKey), .text(occurrenceKey), .text(outcome), .optional(variant),
         .integer(instant.epochSeconds), .integer(scheduledAt.epochSeconds), .text(localDay.description),
         .integer(attributionUntil.epochSeconds)]
    }

    /// The suppression, counted (and listed when it is about the member's data) when it is
    /// new for this occurrence.
    private func record(_ suppression: Suppression) throws {
        let localDay = LocalTime.date(of: instant, in: suppression.timeZone)
        try upsertSuppression.runDeferred([
            .text(suppression.triggerID), .integer(suppression.memberKey), .text(suppression.occurrenceKey),
            .text(suppression.reason.rawValue), .text(localDay.description), .integer(instant.epochSeconds),
        ]) { [self] firstTime in
            guard firstTime == 1 else { return }
            summary.newlySuppressed[suppression.reason, default: 0] += 1
            if [.invalidData, .tooLong].contains(suppression.reason), summary.newlySkipped.count < Summary.skippedListLimit {
                summary.newlySkipped.append(suppression)
            }
        }
    }

    /// The outbox row's parameters, as `insertSend` and `planOccurrenceAndSend` number them.
    private func sendValues(_ send: PlannedSend) -> [SQLValue] {
        let scheduled = send.scheduledAt.epochSeconds
        let now = instant.epochSeconds
        return [
            .text(send.triggerID), .integer(send.memberKey), .text(send.occurrenceKey),
            .text(send.idempotencyKey),
            .text(send.category.rawValue), .text(send.channel), .optional(store.storedAddress(send.address)),
            .text(send.template), .optional(send.variant), .optional(store.storedText(send.title)),
            .optional(store.storedText(send.text)), .optional(send.segments.map(Int64.init)),
            .text(send.linkToken), .optional(send.coupon?.code), .optional(send.coupon?.title),
            .optional(send.coupon?.expiresAt.epochSeconds), .integer(scheduled),
            .optional(send.expiresAt?.epochSeconds), .integer(scheduled), .integer(now), .integer(now),
            .optional(store.storedText(OutboxFallbacks.encode(send.fallbacks))), .text(send.localDay.description),
            .integer(send.attributionUntil.epochSeconds), .optional(store.storedText(send.providerContent)),
            .optional(send.linkTargets.isEmpty ? nil : send.linkTargets.joined(separator: "\n")),
            .optional(store.storedText(send.html)),
        ]
    }

    private func insert(_ send: PlannedSend) throws {
        try insertSend.bind(sendValues(send))
        let inserted = try insertSend.step()
        let primary = insertSend.integer(at: 0)
        insertSend.reset()
        guard inserted, let primary else { throw UnexpectedResultError(statement: "the outbox insert", expected: "its key") }
        try insertCompanions(of: send, primary: primary)
    }

    /// A companion (`deliver: "all"`) per other channel, tied to the primary row `primary`.
    private func insertCompanions(of send: PlannedSend, primary: Int64) throws {
        let scheduled = send.scheduledAt.epochSeconds
        let now = instant.epochSeconds
        for companion in send.companions {
            try insertCompanion.run(
                .text(send.triggerID), .integer(send.memberKey), .text("+\(companion.channel):" + send.occurrenceKey),
                .text(send.idempotencyKey + "/" + companion.channel), .text(send.category.rawValue),
                .text(companion.channel), .optional(store.storedAddress(companion.address)), .text(send.template),
                .optional(send.variant), .optional(store.storedText(companion.title)),
                .optional(store.storedText(companion.text)), .optional(companion.segments.map(Int64.init)),
                .integer(scheduled), .optional(send.expiresAt?.epochSeconds), .integer(now),
                .text(send.localDay.description), .integer(send.attributionUntil.epochSeconds),
                .optional(store.storedText(companion.providerContent)), .optional(store.storedText(companion.html)),
                .integer(primary))
        }
    }
}
