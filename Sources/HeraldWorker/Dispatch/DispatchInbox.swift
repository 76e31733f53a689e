import Dispatch
import Foundation
import HeraldDelivery
import HeraldStore
import Synchronization

/// Where calls in flight report back to the dispatcher's loop, and how the loop sleeps:
/// until something is posted, its task is cancelled, or a timeout passes. Completions
/// collect while the loop is busy, so one pass handles all that arrived meanwhile.
final class DispatchInbox: Sendable {
    /// One finished call.
    struct Completion: Sendable {
        var lane: String
        var send: ClaimedSend
        var result: ChannelResult
        var startedAt: Date
        var latency: Duration
    }

    private struct State {
        var completions: [Completion] = []
        var isSignalled = false
        var waiter: CheckedContinuation<Void, Never>?
        var generation: UInt64 = 0

        /// The sleeping loop, to be resumed outside the lock.
        mutating func takeWaiter() -> CheckedContinuation<Void, Never>? {
            defer { waiter = nil }
            if waiter != nil { isSignalled = false }
            return waiter
        }
    }

    private let state = Mutex(State())

    func post(_ completion: Completion) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.completions.append(completion)
            return state.takeWaiter()
        }
        waiter?.resume()
    }

    /// Wakes the loop without a completion.
    func signal() {
        state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.isSignalled = true
            return state.takeWaiter()
        }?.resume()
    }

    func takeCompletions() -> [Completion] {
        state.withLock { state in
            defer { state.completions.removeAll(keepingCapacity: true) }
            return state.completions
        }
    }

    /// Returns at once when something was posted since the last wait; otherwise when
    /// something is, when the task is cancelled, or after `timeout`.
    func wait(timeout: Duration) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let generation = state.withLock { state -> UInt64? in
                    if state.isSignalled || !state.completions.isEmpty || Task.isCancelled {
                        state.isSignalled = false
                        return nil
                    }
                    state.generation &+= 1
                    state.waiter = continuation
                    return state.generation
                }
                guard let generation else { return continuation.resume() }
                let (seconds, attoseconds) = timeout.components
                let nanoseconds = Int(clamping: seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
                DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(max(0, nanoseconds))) { [self] in
                    state.withLock { state -> CheckedContinuation<Void, Never>? in
                        state.generation == generation ? state.takeWaiter() : nil
                    }?.resume()
                }
            }
        } onCancel: {
            signal()
        }
    }
}
