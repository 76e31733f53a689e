import Foundation
import HeraldCore

/// A coupon system Herald tells of each send's coupon before its message goes out
/// (`offer.issuer`), so the coupon the message promises is in the member's account when it
/// arrives. Called with the send's issuance key: a repeat (a retry, a worker that crashed
/// after the call) must get the same coupon back, not a second one.
public protocol CouponIssuer: Sendable {
    /// The `coupon_issuers` name, or `offer.issuer` for one written in a trigger.
    var name: String { get }
    func issue(_ coupon: CouponRequest) async -> CouponIssuance
}

/// What the coupon system is told: the coupon Herald planned, and for whom.
public struct CouponRequest: Sendable, Equatable {
    /// The same for every call about this coupon (and every message of its occurrence).
    public var idempotencyKey: String
    /// The code Herald generated; the system may keep it or answer with its own.
    public var code: String
    public var title: String
    public var expiresAt: Date
    public var memberID: String
    public var triggerID: String

    public init(idempotencyKey: String, code: String, title: String, expiresAt: Date, memberID: String,
                triggerID: String) {
        self.idempotencyKey = idempotencyKey
        self.code = code
        self.title = title
        self.expiresAt = expiresAt
        self.memberID = memberID
        self.triggerID = triggerID
    }

    /// The request's fields by the names a body template uses.
    var fields: [String: String?] {
        ["idempotency_key": idempotencyKey, "code": code, "title": title,
         "expires_at": InstantFormatter.utcString(from: expiresAt), "member_id": memberID, "trigger": triggerID]
    }

    static let fieldNames = ["idempotency_key", "code", "title", "expires_at", "member_id", "trigger"]
}

/// The coupon system's answer.
public enum CouponIssuance: Sendable, Equatable {
    /// In the member's account, under `code` (Herald's, or the system's own).
    case issued(code: String)
    /// Not issued: classified like a gateway's answer (transient ones are retried).
    case failed(ChannelResult)

    /// Codes a message and a redeem event can carry as they are: 1 to `maxLength` ASCII
    /// letters, digits, `-` and `_` (the code replaces Herald's in the message texts, JSON
    /// included; `validate` counted SMS segments and provider params with one that long).
    public static func isUsableCode(_ code: String, maxLength: Int) -> Bool {
        (1...max(maxLength, 1)).contains(code.utf8.count)
            && code.unicodeScalars.allSatisfy { scalar in
                scalar.isASCII
                    && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "-_".unicodeScalars.contains(scalar))
            }
    }
}
