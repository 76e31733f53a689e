import Foundation

/// Which requests the server has taken on and not yet finished, and whether it takes more.
///
/// A request is counted from the moment its head is admitted until libmicrohttpd reports it
/// completed (its answer sent, or its connection gone), so `HTTPServer.stop` can wait for
/// every answer on its way — including ones whose connection is suspended waiting for a
/// commit: libmicrohttpd aborts the process when stopped with a connection still suspended,
/// and a connection resumed but not yet answered would lose its answer.
final class RequestGate: @unchecked Sendable {
    // @unchecked: `count` and `closing` under `condition`.
    private let condition = NSCondition()
    private var count = 0
    private var closing = false

    /// Counts a new request in; false once closing (it is then answered 503 and not counted).
    func admit() -> Bool {
        condition.withLock {
            guard !closing else { return false }
            count += 1
            return true
        }
    }

    /// An admitted request is complete.
    func finished() {
        condition.withLock {
            count -= 1
            if count == 0 { condition.broadcast() }
        }
    }

    /// Admits nothing more, then waits until every admitted request finished or `timeout`
    /// passed; whether all finished.
    func close(waitingAtMost timeout: Duration) -> Bool {
        let deadline = Date(timeIntervalSinceNow: Double(timeout.components.seconds))
        return condition.withLock {
            closing = true
            while count > 0 {
                if !condition.wait(until: deadline) { return count == 0 }
            }
            return true
        }
    }
}
