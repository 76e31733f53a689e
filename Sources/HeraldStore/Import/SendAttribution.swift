import Foundation
import HeraldCore

/// Ties click, redeem and receipt events to the send they are about (SPEC 6), as they are
/// ingested: the send row keeps its first click, its first redeem within the coupon's
/// validity and its latest receipt, so a report is one pass over the outbox.
///
/// Idempotent by construction: a click or redeem ingested twice keeps the earliest instant,
/// and receipts keep the latest, so neither duplicates nor late arrivals change the outcome
/// of a second ingest. What matches no send is stored as an event and reported as a warning.
final class SendAttribution {
    /// What happened to one event.
    enum Outcome: Equatable {
        case attributed
        /// Nothing to attribute (not a click, redeem or receipt).
        case notApplicable
        /// The event names no known send, or comes too late; the text says which.
        case unmatched(String)
    }

    private let markClicked: SQLiteStatement
    private let markRedeemed: SQLiteStatement
    private let couponExpiry: SQLiteStatement
    private let applyReceipt: SQLiteStatement

    init(database: SQLiteDatabase) throws {
        markClicked = try database.prepare("""
            UPDATE outbox SET clicked_at = min(coalesce(clicked_at, ?1), ?1) WHERE link_token = ?2
            """)
        markRedeemed = try database.prepare("""
            UPDATE outbox SET redeemed_at = min(coalesce(redeemed_at, ?1), ?1)
            WHERE coupon_code = ?2 AND ?1 <= coupon_expires_at
            """)
        couponExpiry = try database.prepare("SELECT coupon_expires_at FROM outbox WHERE coupon_code = ?")
        // A receipt sets the status only of a send the gateway accepted (`sent`, or a status an
        // earlier receipt set); one that arrives while the row is still `pending`/`sending` is
        // kept on the row and applied when the `sent` outcome is recorded (OutboxQueue).
        applyReceipt = try database.prepare("""
            UPDATE outbox SET
                status = CASE WHEN status = 'sent' OR (receipt IS NOT NULL AND status IN ('delivered', 'failed'))
                              THEN \(SQLiteOutboxQueue.statusAfterReceipt("?1")) ELSE status END,
                last_error = \(SQLiteOutboxQueue.lastErrorAfterReceipt("?1")),
                receipt = ?1, receipt_at = ?2
            WHERE (idempotency_key = ?3 OR provider_id = ?3) AND (receipt_at IS NULL OR receipt_at <= ?2)
            """)
    }

    func attribute(_ record: EventRecord) throws -> Outcome {
        guard let reference = record.reference else { return .notApplicable }
        // Warnings show the reference as people may read it: a phone number someone put in
        // place of a key is masked, control characters are dropped.
        let shown = SensitiveText.masked(SensitiveText.withoutControlCharacters(reference, keepingNewlines: false))
        let at = SQLiteValue.integer(record.at.epochSeconds)
        switch record.type {
        case .click:
            guard try markClicked.run(at, .text(reference)) == 0 else { return .attributed }
            return .unmatched("click: token '\(shown)' belongs to no send; stored, not attributed")
        case .redeem:
            guard try markRedeemed.run(at, .text(reference)) == 0 else { return .attributed }
            try couponExpiry.bind([.text(reference)])
            defer { couponExpiry.reset() }
            guard try couponExpiry.step(), let expiry = couponExpiry.integer(at: 0) else {
                return .unmatched("redeem: coupon '\(shown)' was issued by no send; stored, not attributed")
            }
            return .unmatched("redeem: coupon '\(shown)' expired at "
                + InstantFormatter.utcString(from: Date(epochSeconds: expiry)) + "; a late redeem is not attributed")
        case .delivered, .undelivered:
            guard try applyReceipt.run(.text(record.type.rawValue), at, .text(reference)) == 0 else { return .attributed }
            return .unmatched("\(record.type.rawValue): '\(shown)' is neither the key nor the provider id of a send "
                + "(or a later receipt is already recorded); stored, not applied")
        default:
            return .notApplicable
        }
    }
}
