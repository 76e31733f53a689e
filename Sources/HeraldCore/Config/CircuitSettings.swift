/// `circuit: { failures, half_open_after }`: a provider that failed this many times in a row
/// at provider level is skipped until `half_open_after` has passed; then one call probes it.
public struct CircuitSettings: Hashable, Sendable {
    public static let keys = ["failures", "half_open_after"]

    public var failures = 5
    public var halfOpenAfter = TimeSpan(seconds: 30)

    public init() {}
}
