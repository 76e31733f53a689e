import Foundation

/// Waiting in tests without blocking a thread of the (two-thread) test pool, and never
/// without an end: every wait has a limit, and the caller says what it waited for when the
/// limit passes.
public enum Waiting {
    /// Polls `condition` every 20 ms until it holds or `limit` passes; whether it held.
    public static func until(within limit: Duration, _ condition: () throws -> Bool) async rethrows -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if try condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return try condition()
    }

    /// Waits for `process` to exit; after `limit` it is killed (SIGKILL) and reaped, and the
    /// answer is false.
    public static func exit(of process: Process, within limit: Duration) async -> Bool {
        let exited = await until(within: limit) { !process.isRunning }
        if !exited {
            kill(process.processIdentifier, SIGKILL)
            _ = await until(within: .seconds(10)) { !process.isRunning }
        }
        if !process.isRunning { process.waitUntilExit() }
        return exited
    }
}
