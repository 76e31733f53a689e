import Foundation

/// When a transient failure is tried again (SPEC 5): exponential backoff from `base`,
/// doubled per attempt and capped at `maximum`, with "equal jitter" (a uniform draw in the
/// upper half, so retries of a burst spread out yet never come back sooner than half the
/// delay). A gateway's `Retry-After` wins when it is given. After `maxAttempts` calls the
/// row fails with its last error.
public struct RetryPolicy: Sendable {
    public var maxAttempts: Int
    public var base: TimeInterval
    public var maximum: TimeInterval

    public init(maxAttempts: Int, base: TimeInterval, maximum: TimeInterval = 6 * 3600) {
        self.maxAttempts = max(1, maxAttempts)
        self.base = max(0, base)
        self.maximum = maximum
    }

    /// Whether another call may follow `attemptsMade` calls.
    public func allowsRetry(afterAttempts attemptsMade: Int) -> Bool { attemptsMade < maxAttempts }

    /// The wait after the `attempt`-th call (1-based) failed.
    public func delay(afterAttempt attempt: Int, retryAfter: TimeInterval?,
                      using generator: inout some RandomNumberGenerator) -> TimeInterval {
        if let retryAfter { return min(retryAfter, maximum) }
        let exponential = min(maximum, base * pow(2, Double(max(0, attempt - 1))))
        return exponential / 2 + Double.random(in: 0...(exponential / 2), using: &generator)
    }
}
