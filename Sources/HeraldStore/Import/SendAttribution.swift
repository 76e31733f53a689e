import Foundation
import HeraldCore

/// Ties click, redeem, receipt and purchase events to the sends they are about (SPEC 6), as
/// they are ingested: the send row keeps its first click, its first redeem within the coupon's
/// validity, its latest receipt and the member's first purchase within its attribution window
/// (held-out occurrences keep theirs too, for the lift), so a report is one pass over the
/// outbox and the occurrences, with no probe into the events.
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

    private let markClicked: any SQLStatement
    private let markRedeemed: any SQLStatement
    private let couponExpiry: any SQLStatement
    private let applyReceipt: any SQLStatement
    private let markSendsPurchased: any SQLStatement
    private let markHeldOutPurchased: any SQLStatement

    init(database: any SQLDatabase) throws {
        let dialect = database.dialect
        markClicked = try database.prepare("""
            UPDATE outbox SET clicked_at = \(dialect.least("coalesce(clicked_at, ?1)", "?1")) WHERE link_token = ?2
            """)
        markRedeemed = try database.prepare("""
            UPDATE outbox SET redeemed_at = \(dialect.least("coalesce(redeemed_at, ?1)", "?1"))
            WHERE coupon_code = ?2 AND ?1 <= coupon_expires_at
            """)
        couponExpiry = try database.prepare("SELECT coupon_expires_at FROM outbox WHERE coupon_code = ?")
        // A receipt sets the status only of a send the gateway accepted (`sent`, or a status an
        // earlier receipt set); one that arrives while the row is still `pending`/`sending` is
        // kept on the row and applied when the `sent` outcome is recorded (OutboxQueue).
        applyReceipt = try database.prepare("""
            UPDATE outbox SET
                status = CASE WHEN status = 'sent' OR (receipt IS NOT NULL AND status IN ('delivered', 'failed'))
                              THEN \(SQLOutboxQueue.statusAfterReceipt("?1")) ELSE status END,
                last_error = \(SQLOutboxQueue.lastErrorAfterReceipt("?1")),
                receipt = ?1, receipt_at = ?2
            WHERE (idempotency_key = ?3 OR provider_id = ?3) AND (receipt_at IS NULL OR receipt_at <= ?2)
            """)
        // The member's sends (outbox_member_scheduled) and held-out occurrences (occurrences_held_out_member)
        // whose window (scheduled_at, attribution_until] holds the purchase; the earliest purchase wins.
        markSendsPurchased = try database.prepare("""
            UPDATE outbox SET purchased_at = \(dialect.least("coalesce(purchased_at, ?2)", "?2"))
            WHERE member_key = ?1 AND \(Self.converted(byPurchaseAt: "?2"))
            """)
        markHeldOutPurchased = try database.prepare("""
            UPDATE occurrences SET purchased_at = \(dialect.least("coalesce(purchased_at, ?2)", "?2"))
            WHERE member_key = ?1 AND outcome = 'held_out' AND \(Self.converted(byPurchaseAt: "?2"))
            """)
    }

    /// SPEC 6's attribution window, seen from a purchase at `at`: the send (or held-out
    /// occurrence) was scheduled before it and its window had not closed.
    static func converted(byPurchaseAt at: String) -> String {
        "scheduled_at < \(at) AND attribution_until >= \(at)"
    }

    /// The same window seen from a send: the member's first purchase after `scheduledAt` and
    /// up to `until` (SQL expressions), or NULL.
    static func firstPurchase(member: String, after scheduledAt: String, until: String) -> String {
        "(SELECT min(e.at) FROM events e WHERE e.member_key = \(member) AND e.type = 'purchase' "
            + "AND e.at > \(scheduledAt) AND e.at <= \(until))"
    }

    /// A purchase by `memberKey` at `at`: every send and held-out occurrence it converts.
    /// Nothing to match is normal (most purchases follow no message), so there is no warning.
    func attributePurchase(memberKey: Int64, at: Int64) throws {
        _ = try markSendsPurchased.run(.integer(memberKey), .integer(at))
        _ = try markHeldOutPurchased.run(.integer(memberKey), .integer(at))
    }

    func attribute(_ record: EventRecord) throws -> Outcome {
        guard let reference = record.reference else { return .notApplicable }
        let at = SQLValue.integer(record.at.epochSeconds)
        switch record.type {
        case .click:
            guard try markClicked.run(at, .text(reference)) == 0 else { return .attributed }
            return .unmatched(Self.unmatchedClick(reference))
        case .redeem:
            guard try markRedeemed.run(at, .text(reference)) == 0 else { return .attributed }
            try couponExpiry.bind([.text(reference)])
            defer { couponExpiry.reset() }
            guard try couponExpiry.step(), let expiry = couponExpiry.integer(at: 0) else {
                return .unmatched(Self.unknownCoupon(reference))
            }
            return .unmatched(Self.lateRedeem(reference, expiredAt: expiry))
        case .delivered, .undelivered:
            guard try applyReceipt.run(.text(record.type.rawValue), at, .text(reference)) == 0 else { return .attributed }
            return .unmatched("\(record.type.rawValue): '\(Self.shown(reference))' is neither the key nor the provider "
                + "id of a send (or a later receipt is already recorded); stored, not applied")
        default:
            return .notApplicable
        }
    }

    // MARK: What an unmatched event's warning says (both backends' ingesters)

    /// A reference as people may read it in a warning: a phone number someone put in place of
    /// a key is masked, control characters are dropped.
    static func shown(_ reference: String) -> String {
        SensitiveText.masked(SensitiveText.withoutControlCharacters(reference, keepingNewlines: false))
    }

    static func unmatchedClick(_ token: String) -> String {
        "click: token '\(shown(token))' belongs to no send; stored, not attributed"
    }

    static func unknownCoupon(_ coupon: String) -> String {
        "redeem: coupon '\(shown(coupon))' was issued by no send; stored, not attributed"
    }

    static func lateRedeem(_ coupon: String, expiredAt expiry: Int64) -> String {
        "redeem: coupon '\(shown(coupon))' expired at " + InstantFormatter.utcString(from: Date(epochSeconds: expiry))
            + "; a late redeem is not attributed"
    }

    static func unmatchedSpend(points: Int64, memberID: String, unmatched: Int64) -> String {
        "points_spend of \(points) exceeds the points available to member '\(memberID)' at that time; "
            + "\(unmatched) points were not matched to a lot"
    }
}
