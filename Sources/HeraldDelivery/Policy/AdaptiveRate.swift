import HeraldCore

/// How fast one channel may start calls: its configured `rate_per_second` (or none), slowed
/// down when the gateway throttles (AIMD) and paused while it asks for a pause.
///
/// - A throttle (429, `Retry-After`, a provider's throttle code) halves the current rate — at
///   most once a second, so the answers to calls already in flight count as one signal — down
///   to a sixteenth of the ceiling (and never below `minimumRate`), and pauses the channel for
///   the `Retry-After` (1 s when none is given, 5 minutes at most: the channel then probes again).
/// - Every second with accepted calls and no throttle adds a twentieth of the ceiling back,
///   up to the configured rate. A channel without a configured rate starts unlimited; when
///   first throttled its ceiling is the rate it was running at, and it is unlimited again
///   once the rate has climbed back to twice that.
///
/// A value driven by the instants it is given, so its behaviour is tested by moving time.
public struct AdaptiveRate: Sendable {
    public static let minimumRate = 0.5
    public static let longestPause: Duration = .seconds(300)
    public static let defaultPause: Duration = .seconds(1)

    public let configuredRate: Double?
    private var bucket: TokenBucket?
    private var ceiling: Double?
    private var lastDecrease: ContinuousClock.Instant?
    private var lastIncrease: ContinuousClock.Instant?
    public private(set) var pausedUntil: ContinuousClock.Instant?
    /// Calls started in the current and the previous second: the observed rate.
    private var windowStart: ContinuousClock.Instant?
    private var startsThisWindow = 0
    private var startsLastWindow = 0

    public init(configuredRate: Double?) {
        self.configuredRate = configuredRate
        bucket = configuredRate.map(TokenBucket.init(rate:))
        ceiling = configuredRate
    }

    /// The rate calls may start at now; nil: unlimited.
    public var currentRate: Double? { bucket?.rate }

    /// Takes a start and returns nil, or returns how long until one is allowed (taking nothing).
    public mutating func take(at now: ContinuousClock.Instant) -> Duration? {
        if let pausedUntil, now < pausedUntil { return pausedUntil - now }
        pausedUntil = nil
        if let wait = bucket?.take(at: now) { return wait }
        count(at: now)
        return nil
    }

    /// A start taken for a call that was not made (its re-check settled the row, or the call
    /// went to the coupon system): neither the bucket nor the observed rate keeps it.
    public mutating func giveBack() {
        bucket?.giveBack()
        if startsThisWindow > 0 { startsThisWindow -= 1 }
    }

    /// The gateway throttled a call.
    public mutating func throttled(at now: ContinuousClock.Instant, retryAfter: Duration?) {
        let pause = min(retryAfter.map { max($0, .zero) } ?? Self.defaultPause, Self.longestPause)
        pausedUntil = max(pausedUntil ?? now, now + pause)
        if let lastDecrease, now - lastDecrease < .seconds(1) { return }
        lastDecrease = now
        lastIncrease = now
        let current = bucket?.rate ?? max(Self.minimumRate, observedRate(at: now))
        if ceiling == nil { ceiling = current }
        let lowered = max(Self.minimumRate, (ceiling ?? current) / 16, current / 2)
        if bucket == nil { bucket = TokenBucket(rate: lowered) } else { bucket!.setRate(lowered, at: now) }
    }

    /// No provider can be called for a while (every circuit open): pause, without slowing down.
    public mutating func pause(at now: ContinuousClock.Instant, for duration: Duration) {
        pausedUntil = max(pausedUntil ?? now, now + min(max(duration, .zero), Self.longestPause))
    }

    /// The gateway accepted a call: after a second without throttling, climb back a step.
    public mutating func accepted(at now: ContinuousClock.Instant) {
        guard let rate = bucket?.rate, let ceiling else { return }
        if let lastIncrease, now - lastIncrease < .seconds(1) { return }
        lastIncrease = now
        let raised = rate + max(Self.minimumRate, ceiling / 20)
        if let configuredRate {
            bucket!.setRate(min(configuredRate, raised), at: now)
        } else if raised >= 2 * ceiling {
            bucket = nil
            self.ceiling = nil
        } else {
            bucket!.setRate(raised, at: now)
        }
    }

    private mutating func count(at now: ContinuousClock.Instant) {
        guard let start = windowStart, now - start < .seconds(1) else {
            let elapsed = windowStart.map { now - $0 } ?? .seconds(2)
            startsLastWindow = elapsed < .seconds(2) ? startsThisWindow : 0
            startsThisWindow = 1
            windowStart = now
            return
        }
        startsThisWindow += 1
    }

    private func observedRate(at now: ContinuousClock.Instant) -> Double {
        guard let start = windowStart else { return 0 }
        let into = min(1, max(0.001, (now - start).inSeconds))
        return Double(startsLastWindow) * (1 - into) + Double(startsThisWindow)
    }
}
