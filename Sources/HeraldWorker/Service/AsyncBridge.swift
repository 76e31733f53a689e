import Foundation

/// Commands (and the benchmark) are synchronous; the service is async.
public enum AsyncBridge {
    /// Runs `body` on the cooperative pool and waits for it on this (main) thread.
    public static func blocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        Task {
            do { box.result = .success(try await body()) } catch { box.result = .failure(error) }
            done.signal()
        }
        done.wait()
        return try box.result!.get()
    }
}

/// Hands a result from the task to the waiting thread; the semaphore orders the write
/// before the read, which is why unchecked Sendable is safe here.
private final class ResultBox<T>: @unchecked Sendable {
    var result: Result<T, any Error>?
}
