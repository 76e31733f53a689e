import Foundation
import Synchronization

/// Where Herald reads "now". Everything that depends on the time takes one,
/// so tests move time instead of sleeping.
public protocol WallClock: Sendable {
    func now() -> Date
}

/// The real clock.
public struct SystemWallClock: WallClock {
    public init() {}
    public func now() -> Date { Date() }
}

/// A clock that stands still until told to move: the in-memory twin for tests and the sandbox.
public final class ManualWallClock: WallClock {
    private let current: Mutex<Date>

    public init(_ start: Date) {
        current = Mutex(start)
    }

    public func now() -> Date { current.withLock { $0 } }

    public func set(_ instant: Date) { current.withLock { $0 = instant } }

    public func advance(by seconds: TimeInterval) { current.withLock { $0 += seconds } }
}
