import Foundation

extension Date {
    /// Whole seconds since 1970-01-01T00:00:00Z, rounded down: how the store keeps instants.
    public var epochSeconds: Int64 { Int64(timeIntervalSince1970.rounded(.down)) }

    public init(epochSeconds: Int64) {
        self.init(timeIntervalSince1970: TimeInterval(epochSeconds))
    }
}
