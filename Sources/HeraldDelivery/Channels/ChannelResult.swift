import Foundation

/// A provider's answer, classified (SPEC 5 and 7, issue 11). Error texts are raw here: the
/// dispatcher reduces them (`ErrorRedactor`) before anything is stored or logged.
public enum ChannelResult: Sendable, Equatable {
    /// 2xx, or the provider's success code; its message id when it gave one.
    case accepted(providerID: String?, httpStatus: Int?)
    /// 408, 5xx, timeouts, connection errors, a provider's system error: retried with
    /// backoff, each call an attempt; the next provider is tried first (provider level).
    case transient(error: String, httpStatus: Int?, retryAfter: TimeInterval?)
    /// 429 or a provider's rate-limit code: the next provider is tried; when none takes it,
    /// the channel slows down and the row is deferred without spending an attempt.
    case throttled(error: String, httpStatus: Int?, retryAfter: TimeInterval?)
    /// The provider refused this message (other 4xx, sensitive words, a param too long):
    /// no retry, no other provider.
    case permanent(error: String, httpStatus: Int?)
    /// The provider's setup is wrong (a redirect, credentials, signature, an unapproved sign
    /// or template, no balance): the next provider is tried, and the operator is told.
    case misconfigured(error: String, httpStatus: Int?)
    /// The address can never receive it (invalid number, the carrier's or provider's block
    /// list): the row fails and the address is suppressed; no other provider.
    case recipientPermanent(error: String, httpStatus: Int?)
    /// The recipient has not agreed to this channel, or no longer does (WeChat 43101: no
    /// subscription for this template; 43004: not following the account): the member's consent
    /// for the channel becomes `no` (an `opt_out` event), the row fails; no other provider.
    case recipientRefused(error: String, httpStatus: Int?)
    /// The address no longer exists (APNs 410 `Unregistered`, FCM `UNREGISTERED`: the app was
    /// removed or the token replaced): it is cleared from the member (a new one comes with the
    /// next member import), the row fails; no other provider.
    case recipientGone(error: String, httpStatus: Int?)
    /// The address received too many messages lately (per-number limits): deferred to the
    /// next opening of the send window; no other provider.
    case recipientThrottled(error: String, httpStatus: Int?)
    /// No provider could be called (every circuit open): deferred without an attempt.
    case unavailable(error: String, retryAfter: TimeInterval)
    /// The call was abandoned at a shutdown deadline; it may or may not have reached the gateway.
    case cancelled

    public var httpStatus: Int? {
        switch self {
        case .accepted(_, let status), .transient(_, let status, _), .throttled(_, let status, _),
             .permanent(_, let status), .misconfigured(_, let status), .recipientPermanent(_, let status),
             .recipientThrottled(_, let status), .recipientRefused(_, let status), .recipientGone(_, let status):
            status
        case .unavailable, .cancelled:
            nil
        }
    }

    /// A template-based provider got a send without its mapping (planned before the mapping
    /// named it): its setup, not the message, so the next provider is tried.
    static func missingMapping(provider: String) -> ChannelResult {
        .misconfigured(error: "no template mapping for provider \(provider) in this send (was it planned before "
                           + "its providers.json5 named \(provider)?)", httpStatus: nil)
    }

    /// Whether the next provider should be tried with the same idempotency key.
    public var triesNextProvider: Bool {
        switch self {
        case .transient, .throttled, .misconfigured: true
        default: false
        }
    }

    /// The word logs, attempts and metrics use.
    public var name: String {
        switch self {
        case .accepted: "accepted"
        case .transient: "transient"
        case .throttled: "throttled"
        case .permanent: "permanent"
        case .misconfigured: "misconfigured"
        case .recipientPermanent: "recipient_permanent"
        case .recipientThrottled: "recipient_throttled"
        case .recipientRefused: "recipient_refused"
        case .recipientGone: "recipient_gone"
        case .unavailable: "unavailable"
        case .cancelled: "cancelled"
        }
    }

    public var error: String? {
        switch self {
        case .accepted, .cancelled: nil
        case .transient(let error, _, _), .throttled(let error, _, _), .permanent(let error, _),
             .misconfigured(let error, _), .recipientPermanent(let error, _), .recipientThrottled(let error, _),
             .recipientRefused(let error, _), .recipientGone(let error, _), .unavailable(let error, _):
            error
        }
    }
}
