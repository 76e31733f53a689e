import HeraldCore

/// A channel's rate limit: a token bucket refilled at `rate` tokens a second, holding at most
/// `burst` (a tenth of a second's worth, at least one), so a gateway never sees more than
/// `rate` calls in any second beyond that small burst.
///
/// A value driven by the instants it is given: tests move time instead of sleeping.
public struct TokenBucket: Sendable {
    public private(set) var rate: Double
    public private(set) var burst: Double
    private var tokens: Double
    private var updatedAt: ContinuousClock.Instant?

    public init(rate: Double) {
        self.rate = rate
        burst = max(1, rate / 10)
        tokens = burst
    }

    /// Takes a token and returns nil, or returns how long until one is available (taking nothing).
    public mutating func take(at now: ContinuousClock.Instant) -> Duration? {
        refill(at: now)
        if tokens >= 1 {
            tokens -= 1
            return nil
        }
        return .seconds((1 - tokens) / rate)
    }

    /// Gives back a token taken for a call that was not made.
    public mutating func giveBack() {
        tokens = min(burst, tokens + 1)
    }

    /// Refills at the old rate up to `now`, then goes on at `newRate`.
    public mutating func setRate(_ newRate: Double, at now: ContinuousClock.Instant) {
        refill(at: now)
        rate = newRate
        burst = max(1, newRate / 10)
        tokens = min(tokens, burst)
    }

    private mutating func refill(at now: ContinuousClock.Instant) {
        if let updatedAt {
            tokens = min(burst, tokens + max(0, (now - updatedAt).inSeconds) * rate)
        }
        updatedAt = now
    }
}
