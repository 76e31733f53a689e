import Foundation

/// Runs blocking work (a bulk load, a store compared row by row, a server started) on a
/// thread of its own and awaits it: Swift Testing runs tests on a pool of as many threads as
/// cores — two here — and a test that blocks one for seconds starves every async test's
/// continuations meanwhile (a 300 ms timeout was once seen to return after 14 s).
public enum OffThePool {
    public static func run<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Swift.Result { try body() })
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }
}

/// Hands values that are not `Sendable` (a store connection, a fixture) to `OffThePool.run`:
/// safe as the test awaits that thread and touches none of them meanwhile.
public struct Handed<Value>: @unchecked Sendable {
    public let value: Value
    public init(_ value: Value) { self.value = value }
}
