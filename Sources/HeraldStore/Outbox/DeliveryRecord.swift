import Foundation
import HeraldCore

/// What became of one claimed row: the dispatcher decides, `OutboxQueue.record` writes it
/// (the row's new status and one `delivery_attempts` line).
public struct DeliveryRecord: Sendable {
    public enum Outcome: Sendable, Equatable {
        /// The gateway accepted it (2xx).
        case sent(providerID: String?)
        /// A transient failure: pending again at `at` (backoff, or the gateway's Retry-After).
        case retry(at: Date)
        /// The gateway throttled it (429): pending again at `until`, no attempt spent.
        case deferred(until: Date)
        /// A permanent failure, or the last attempt used up.
        case failed
        /// A permanent failure with another channel left: the row moves to it, due now.
        case fallback
        /// The re-check found consent withdrawn.
        case cancelled
        /// The re-check found the send past its `expire`.
        case expired
        /// The re-check found its window closed: pending again at the next opening.
        case rescheduled(to: Date)
        /// Its call was abandoned at a shutdown deadline: pending again now, no attempt spent
        /// (the retry carries the same key, so a gateway that saw the call can drop it).
        case released
        /// The coupon system issued the send's coupon (as `code`): pending again now, for its
        /// message, no attempt spent.
        case couponIssued(code: String)

        /// The word `delivery_attempts.outcome` keeps.
        public var name: String {
            switch self {
            case .sent: "sent"
            case .retry: "retry"
            case .deferred: "throttled"
            case .failed: "failed"
            case .fallback: "fallback"
            case .cancelled: "cancelled"
            case .expired: "expired"
            case .rescheduled: "rescheduled"
            case .released: "released"
            case .couponIssued: "coupon_issued"
            }
        }
    }

    /// A provider call before the final one (failover with the same key): its own line in
    /// `delivery_attempts`, outcome `failover`, with the provider it called.
    public struct ProviderTry: Sendable, Equatable {
        public var provider: String
        public var httpStatus: Int?
        public var error: String?
        public var latencyMilliseconds: Int?

        public init(provider: String, httpStatus: Int?, error: String?, latencyMilliseconds: Int?) {
            self.provider = provider
            self.httpStatus = httpStatus
            self.error = error
            self.latencyMilliseconds = latencyMilliseconds
        }
    }

    public var key: Int64
    public var outcome: Outcome
    public var startedAt: Date
    public var finishedAt: Date
    /// Whether a gateway call was made (re-check outcomes make none).
    public var calledGateway: Bool
    public var latencyMilliseconds: Int?
    public var httpStatus: Int?
    public var error: String?
    /// The provider whose answer this is (for `sent`, the one that accepted it).
    public var provider: String?
    public var earlierTries: [ProviderTry] = []
    /// `sent` through a provider with a price: segments x price, in thousandths of a fen.
    public var costMillifen: Int64?
    /// Recipient-permanent: the row's address goes on the suppression list, as this kind.
    public var suppressesAddress: ChannelKind?
    /// Recipient-refused: the member's consent for this kind becomes `no`, with an `opt_out`
    /// event recording why.
    public var withdrawsConsent: ChannelKind?
    /// Recipient-gone: the row's address is cleared from its member (when still theirs).
    public var clearsAddress: ChannelKind?

    public init(key: Int64, outcome: Outcome, startedAt: Date, finishedAt: Date, calledGateway: Bool,
                latencyMilliseconds: Int? = nil, httpStatus: Int? = nil, error: String? = nil) {
        self.key = key
        self.outcome = outcome
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.calledGateway = calledGateway
        self.latencyMilliseconds = latencyMilliseconds
        self.httpStatus = httpStatus
        self.error = error
    }

    /// The code the coupon system issued the row's coupon under (no message was sent yet).
    var issuedCouponCode: String? {
        if case .couponIssued(let code) = outcome { code } else { nil }
    }

    /// Whether the outcome spends one of the row's attempts: a call was made and it was not
    /// throttled or abandoned.
    var chargesAttempt: Bool {
        guard calledGateway else { return false }
        switch outcome {
        case .deferred, .released: return false
        default: return true
        }
    }
}
