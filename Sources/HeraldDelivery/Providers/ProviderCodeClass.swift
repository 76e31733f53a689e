import Foundation

/// What a provider's documented code means for the send (SPEC 7): the classes the per-
/// provider code tables (`TencentSMSCodes`, `AliyunSMSCodes`) map each code to.
enum ProviderCodeClass: Sendable {
    /// The address can never receive it: fail, suppress the address, no other provider.
    case recipientPermanent
    /// Per-number frequency limits: deferred to the next window opening, no other provider.
    case recipientThrottled
    /// This message is refused whatever the provider (content, a param): fail, no other provider.
    case messageRefused
    /// The account's setup (keys, signature, sign or template approval, balance, permissions):
    /// the next provider is tried and the operator is told.
    case providerSetup
    /// The provider's own rate limit: the next provider is tried, else the row is deferred.
    case providerThrottled
    /// The provider's fault (system error, timeout inside it): the next provider is tried,
    /// else retried with backoff.
    case providerFault

    func result(code: String, message: String, httpStatus: Int?) -> ChannelResult {
        let error = "\(code): \(message)"
        switch self {
        case .recipientPermanent: return .recipientPermanent(error: error, httpStatus: httpStatus)
        case .recipientThrottled: return .recipientThrottled(error: error, httpStatus: httpStatus)
        case .messageRefused: return .permanent(error: error, httpStatus: httpStatus)
        case .providerSetup: return .misconfigured(error: error, httpStatus: httpStatus)
        case .providerThrottled: return .throttled(error: error, httpStatus: httpStatus, retryAfter: nil)
        case .providerFault: return .transient(error: error, httpStatus: httpStatus, retryAfter: nil)
        }
    }
}
