import Foundation
import HeraldCore

/// Writes what an evaluation decided (SPEC 4): each planned send as one outbox row in the
/// same transaction as its occurrence, each held-out member as an occurrence alone, and
/// each other suppression (not `duplicate`) as one row per occurrence for the report.
///
/// Batches of `batchSize` sends share a transaction, so a crash loses at most the open batch —
/// whose occurrences are gone with it, so the next evaluation plans those sends again. An
/// occurrence already in the store (another worker, an earlier run) writes nothing: the
/// unique key (trigger, member, occurrence) makes re-running an evaluation a no-op.
public final class OutboxWriter {
    public struct Summary: Sendable {
        public var written = 0
        public var heldOut = 0
        /// Occurrences that were already recorded: nothing was written for them.
        public var alreadyRecorded = 0
        /// Suppressions seen for the first time (a member suppressed at every tick counts once).
        public var newlySuppressed: [SuppressionReason: Int] = [:]
        /// The first `skippedListLimit` members newly suppressed as `invalid_data` or `too_long`,
        /// for the worker to log once each with their reason.
        public var newlySkipped: [Suppression] = []
        public static let skippedListLimit = 100

        public init() {}
    }

    private let database: SQLiteDatabase
    private let batchSize: Int
    private let insertOccurrence: SQLiteStatement
    private let insertSend: SQLiteStatement
    private let upsertSuppression: SQLiteStatement

    public init(store: MemberStore, batchSize: Int = 500) throws {
        database = store.database
        self.batchSize = batchSize
        insertOccurrence = try database.prepare("""
            INSERT INTO occurrences (trigger_id, member_key, occurrence_key, outcome, variant, evaluated_at, scheduled_at,
                local_day, attribution_until)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
            """)
        insertSend = try database.prepare("""
            INSERT INTO outbox (trigger_id, member_key, occurrence_key, idempotency_key, category, channel, address,
                template, variant, title, body, segments, link_token, coupon_code, coupon_title, coupon_expires_at,
                scheduled_at, expires_at, next_attempt_at, created_at, updated_at, fallbacks, local_day, attribution_until,
                provider_content)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        // RETURNING reports the row only when it was inserted (`first_at` = now), so new ones can be counted.
        upsertSuppression = try database.prepare("""
            INSERT INTO suppressions (trigger_id, member_key, occurrence_key, reason, local_day, first_at, last_at)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)
            ON CONFLICT DO UPDATE SET reason = excluded.reason, last_at = excluded.last_at
            RETURNING first_at = last_at
            """)
    }

    /// The key every gateway call and retry of a send carries: derived from the occurrence,
    /// so it names the same send whichever worker wrote it.
    public static func idempotencyKey(triggerID: String, memberID: String, occurrenceKey: String) -> String {
        let hash = FNV1a.hash128("\(triggerID)\u{1F}\(memberID)\u{1F}\(occurrenceKey)".utf8)
        return "hk-" + String(hash, radix: 16).leftPadded(to: 32)
    }

    @discardableResult
    public func write(_ evaluation: Evaluation) throws -> Summary {
        var summary = Summary()
        let now = evaluation.instant.epochSeconds
        let batch = BatchedTransaction(database: database, batchSize: batchSize)
        do {
            for send in evaluation.planned {
                try batch.begin()
                if try recordOccurrence(send.triggerID, send.memberKey, send.occurrenceKey, outcome: "planned",
                                        variant: send.variant, at: now, scheduledAt: send.scheduledAt,
                                        localDay: send.localDay, attributionUntil: send.attributionUntil) {
                    try insert(send, now: now)
                    summary.written += 1
                } else {
                    summary.alreadyRecorded += 1
                }
                try batch.unitDone()
            }
            for suppression in evaluation.suppressed where suppression.reason != .duplicate {
                try batch.begin()
                if suppression.reason != .holdout {
                    if try record(suppression, at: evaluation.instant) {
                        summary.newlySuppressed[suppression.reason, default: 0] += 1
                        if [.invalidData, .tooLong].contains(suppression.reason),
                           summary.newlySkipped.count < Summary.skippedListLimit {
                            summary.newlySkipped.append(suppression)
                        }
                    }
                } else if try recordOccurrence(
                    suppression.triggerID, suppression.memberKey, suppression.occurrenceKey, outcome: "held_out", variant: nil,
                    at: now, scheduledAt: suppression.scheduledAt ?? evaluation.instant,
                    localDay: LocalTime.date(of: suppression.scheduledAt ?? evaluation.instant, in: suppression.timeZone),
                    attributionUntil: suppression.attributionUntil ?? evaluation.instant) {
                    summary.heldOut += 1
                } else {
                    summary.alreadyRecorded += 1
                }
                try batch.unitDone()
            }
            try batch.commit()
        } catch {
            batch.abandon()
            throw error
        }
        return summary
    }

    /// False when the occurrence was already there.
    private func recordOccurrence(_ triggerID: String, _ memberKey: Int64, _ occurrenceKey: String, outcome: String,
                                  variant: String?, at now: Int64, scheduledAt: Date, localDay: CivilDate,
                                  attributionUntil: Date) throws -> Bool {
        try insertOccurrence.run(.text(triggerID), .integer(memberKey), .text(occurrenceKey), .text(outcome),
                                 .optional(variant), .integer(now), .integer(scheduledAt.epochSeconds),
                                 .text(localDay.description), .integer(attributionUntil.epochSeconds)) == 1
    }

    /// True when this occurrence was suppressed for the first time.
    private func record(_ suppression: Suppression, at instant: Date) throws -> Bool {
        let localDay = LocalTime.date(of: instant, in: suppression.timeZone)
        try upsertSuppression.bind([.text(suppression.triggerID), .integer(suppression.memberKey),
                                    .text(suppression.occurrenceKey), .text(suppression.reason.rawValue),
                                    .text(localDay.description), .integer(instant.epochSeconds)])
        defer { upsertSuppression.reset() }
        return try upsertSuppression.step() && upsertSuppression.integer(at: 0) == 1
    }

    private func insert(_ send: PlannedSend, now: Int64) throws {
        let scheduled = send.scheduledAt.epochSeconds
        try insertSend.run(
            .text(send.triggerID), .integer(send.memberKey), .text(send.occurrenceKey),
            .text(Self.idempotencyKey(triggerID: send.triggerID, memberID: send.memberID, occurrenceKey: send.occurrenceKey)),
            .text(send.category.rawValue), .text(send.channel), .text(send.address), .text(send.template),
            .optional(send.variant), .optional(send.title), .text(send.text), .optional(send.segments.map(Int64.init)),
            .text(send.linkToken), .optional(send.coupon?.code), .optional(send.coupon?.title),
            .optional(send.coupon?.expiresAt.epochSeconds), .integer(scheduled), .optional(send.expiresAt?.epochSeconds),
            .integer(scheduled), .integer(now), .integer(now), .optional(OutboxFallbacks.encode(send.fallbacks)),
            .text(send.localDay.description), .integer(send.attributionUntil.epochSeconds), .optional(send.providerContent))
    }
}
