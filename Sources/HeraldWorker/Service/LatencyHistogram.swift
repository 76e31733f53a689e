/// Gateway call latencies in Prometheus's cumulative-bucket shape: fixed bounds from 50 ms
/// to 30 s, a sum and a count. Small and allocation-free per observation.
public struct LatencyHistogram: Sendable, Equatable {
    /// Upper bounds in seconds; +Inf is implied by `count`.
    public static let bounds: [Double] = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

    /// Observations at or below each bound (not yet cumulative).
    public private(set) var perBucket = [Int](repeating: 0, count: LatencyHistogram.bounds.count)
    public private(set) var count = 0
    public private(set) var sum = 0.0

    public init() {}

    public mutating func observe(seconds: Double) {
        count += 1
        sum += seconds
        if let index = Self.bounds.firstIndex(where: { seconds <= $0 }) { perBucket[index] += 1 }
    }

    /// Observations at or below each bound, as Prometheus's `le` buckets count them.
    public var cumulative: [Int] {
        var running = 0
        return perBucket.map { running += $0; return running }
    }
}
