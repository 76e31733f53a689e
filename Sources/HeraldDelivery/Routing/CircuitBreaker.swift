import Foundation
import HeraldCore

/// One provider's circuit (SPEC 7): after `failures` provider-level failures in a row
/// (transient or misconfigured answers) it opens and the provider is skipped; after
/// `half_open_after` one call probes it — success closes it, failure opens it again.
///
/// A value driven by the instants it is given (the injected wall clock): tests move time.
/// Answers that say nothing about the provider's health (throttling, a cancelled call) leave
/// the count as it is.
public struct CircuitBreaker: Sendable {
    public enum State: String, Sendable {
        case closed
        case open
        case halfOpen = "half_open"
    }

    /// Nil: no circuit (a channel's one inline provider, paced by retries and backoff alone).
    public let settings: CircuitSettings?
    public private(set) var state = State.closed
    private var consecutiveFailures = 0
    private var openedAt: Date?
    /// Half-open: a probe is in flight, so other calls still skip the provider.
    private var probing = false

    public init(settings: CircuitSettings?) {
        self.settings = settings
    }

    private var halfOpenAfter: TimeInterval { TimeInterval(settings?.halfOpenAfter.seconds ?? 0) }

    /// Whether `admit` would let a call through now (no change made).
    public func wouldAdmit(at now: Date) -> Bool {
        switch state {
        case .closed: true
        case .open: openedAt.map { now.timeIntervalSince($0) >= halfOpenAfter } ?? true
        case .halfOpen: !probing
        }
    }

    /// Lets a call through, or not; past `half_open_after` an open circuit lets one probe through.
    public mutating func admit(at now: Date) -> Bool {
        guard wouldAdmit(at: now) else { return false }
        if state != .closed {
            state = .halfOpen
            probing = true
        }
        return true
    }

    public mutating func record(_ result: ChannelResult, at now: Date) {
        switch result {
        case .transient, .misconfigured:
            guard let settings else { return }
            consecutiveFailures += 1
            if state == .halfOpen || consecutiveFailures >= settings.failures { open(at: now) }
        case .accepted, .permanent, .recipientPermanent, .recipientThrottled, .recipientRefused, .recipientGone:
            state = .closed
            consecutiveFailures = 0
            probing = false
        case .throttled, .cancelled, .unavailable:
            probing = false
        }
    }

    /// When an open circuit lets its probe through; nil unless open.
    public var halfOpensAt: Date? {
        guard state == .open, let openedAt else { return nil }
        return openedAt + halfOpenAfter
    }

    private mutating func open(at now: Date) {
        state = .open
        openedAt = now
        probing = false
    }
}
