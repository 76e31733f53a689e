import Foundation
import HeraldCore

/// Coupon issuance (`offer.issuer`): the claimed row's coupon, read from the row holding it,
/// and the issued code written back before any message of the occurrence goes out.
extension SQLOutboxQueue {
    /// The holder's coupon columns from `column` on (key, code, title, expiry, issued at,
    /// planned code, idempotency key); the texts carry the planned code until replaced here.
    static func readCoupon(_ row: any SQLStatement, from column: Int32, into send: inout ClaimedSend) {
        guard let holder = row.integer(at: column), let code = row.text(at: column + 1) else { return }
        let issuedAt = row.instant(at: column + 4)
        if issuedAt != nil, let planned = row.text(at: column + 5) { send.replaceCouponCode(planned, with: code) }
        let holderKey = row.text(at: column + 6) ?? ""
        let baseKey = holderKey.split(separator: "/").first.map(String.init) ?? holderKey
        send.coupon = ClaimedCoupon(
            holderKey: holder, code: code, title: row.text(at: column + 2) ?? "",
            expiresAt: row.instant(at: column + 3) ?? send.scheduledAt, issuedAt: issuedAt,
            issuanceKey: baseKey + "/coupon")
    }

    /// On the holder, once: the issued code becomes the coupon's (what redeems name), the
    /// planned one is kept for the texts. A code another send already has is not written.
    static let issueCouponSQL = """
        UPDATE outbox SET coupon_planned_code = coalesce(coupon_planned_code, coupon_code), coupon_code = ?1,
            coupon_issued_at = ?2
        WHERE key = (SELECT coalesce(companion_of, key) FROM outbox WHERE key = ?3) AND coupon_issued_at IS NULL
            AND NOT EXISTS (SELECT 1 FROM outbox x WHERE x.coupon_code = ?1
                            AND x.key <> (SELECT coalesce(companion_of, key) FROM outbox WHERE key = ?3))
        """

    /// The row returns to the queue at its place (still due, so first in line) for its
    /// message — unless its coupon is still not issued (the code was taken): then it fails
    /// without a message.
    static func returnAfterIssuanceSQL(leaseEnded: String) -> String {
        let issued = """
            EXISTS (SELECT 1 FROM outbox h WHERE h.key = coalesce(outbox.companion_of, outbox.key)
                    AND h.coupon_issued_at IS NOT NULL)
            """
        return """
            UPDATE outbox SET status = CASE WHEN \(issued) THEN 'pending' ELSE 'failed' END,
                last_error = CASE WHEN \(issued) THEN last_error ELSE ?4 END,
                updated_at = ?1, \(leaseEnded)
            WHERE key = ?2 AND status = 'sending' AND lease_owner = ?3
            """
    }

    static func codeTaken(_ code: String) -> String {
        "coupon not issued: the coupon system answered with code \(code), which another send already carries; "
            + "no message sent"
    }
}
