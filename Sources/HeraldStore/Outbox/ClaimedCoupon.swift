import Foundation
import HeraldCore

/// A claimed send's coupon: the occurrence's, kept on its primary row (a companion message
/// reads its primary's), with what the dispatcher needs to have the coupon system issue it.
public struct ClaimedCoupon: Sendable, Equatable {
    /// The row that holds the coupon (the send's own, or its primary's).
    public var holderKey: Int64
    /// The code the message carries: the coupon system's once it issued one of its own.
    public var code: String
    public var title: String
    public var expiresAt: Date
    /// When the coupon system issued it; nil: not yet (or the trigger has no issuer).
    public var issuedAt: Date?
    /// The same for every message of the occurrence and every call about it: the holder's
    /// idempotency key without a fallback's channel suffix, then `/coupon` (a coupon system
    /// that is also a gateway never mistakes it for the message's key).
    public var issuanceKey: String

    public init(holderKey: Int64, code: String, title: String, expiresAt: Date, issuedAt: Date?, issuanceKey: String) {
        self.holderKey = holderKey
        self.code = code
        self.title = title
        self.expiresAt = expiresAt
        self.issuedAt = issuedAt
        self.issuanceKey = issuanceKey
    }
}

extension ClaimedCoupon {
    /// `text` as the message goes out: the planned code replaced by the issued one (a code
    /// of 1–64 ASCII letters, digits, `-`, `_`, so it stands as it is inside JSON too).
    static func issuedText(_ text: String?, planned: String?, issued: String) -> String? {
        guard let planned, !planned.isEmpty, planned != issued else { return text }
        return text?.replacingOccurrences(of: planned, with: issued)
    }
}

extension ClaimedSend {
    /// The texts with the planned code replaced by the issued one, an SMS's segments counted again.
    mutating func replaceCouponCode(_ planned: String, with issued: String) {
        guard planned != issued, !planned.isEmpty else { return }
        func replaced(_ text: String?) -> String? { ClaimedCoupon.issuedText(text, planned: planned, issued: issued) }
        title = replaced(title)
        text = replaced(text) ?? text
        html = replaced(html)
        providerContent = replaced(providerContent)
        if channelKind == .sms, segments != nil { segments = SMSSegments(text).count }
    }
}
