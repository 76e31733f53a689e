import Foundation

/// A gateway's answer, classified (SPEC 5 and issue 11). Error texts are raw here: the
/// dispatcher reduces them (`ErrorRedactor`) before anything is stored or logged.
public enum ChannelResult: Sendable, Equatable {
    /// 2xx.
    case accepted(providerID: String?, httpStatus: Int?)
    /// 408, 5xx, timeouts, connection errors: retried with backoff, each call an attempt.
    case transient(error: String, httpStatus: Int?, retryAfter: TimeInterval?)
    /// 429 or a provider's throttle code: the channel slows down and the row is deferred
    /// without spending an attempt.
    case throttled(error: String, httpStatus: Int?, retryAfter: TimeInterval?)
    /// The gateway refused this message (other 4xx): no retry.
    case permanent(error: String, httpStatus: Int?)
    /// The channel's own setup is wrong (a redirect, a URL that cannot work): no retry for
    /// this call, and the operator is told the channel needs fixing.
    case misconfigured(error: String, httpStatus: Int?)
    /// The call was abandoned at a shutdown deadline; it may or may not have reached the gateway.
    case cancelled

    public var httpStatus: Int? {
        switch self {
        case .accepted(_, let status), .transient(_, let status, _), .throttled(_, let status, _),
             .permanent(_, let status), .misconfigured(_, let status):
            status
        case .cancelled:
            nil
        }
    }
}
