import Foundation

/// How many connections wait, suspended, for a route's answer. libmicrohttpd aborts the
/// process when it is stopped with a connection still suspended, so `HTTPServer.stop` waits
/// for this to reach zero first.
final class SuspendedConnections: @unchecked Sendable {
    // @unchecked: `count` under `condition`.
    private let condition = NSCondition()
    private var count = 0

    func suspended() {
        condition.withLock { count += 1 }
    }

    func resumed() {
        condition.withLock {
            count -= 1
            if count == 0 { condition.broadcast() }
        }
    }

    /// Waits until no connection is suspended, or `timeout` passed; whether none is.
    func waitUntilNone(timeout: TimeInterval) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        return condition.withLock {
            while count > 0 {
                if !condition.wait(until: deadline) { return count == 0 }
            }
            return true
        }
    }
}
