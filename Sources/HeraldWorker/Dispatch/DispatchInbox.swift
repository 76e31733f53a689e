import Dispatch
import Foundation
import HeraldCore
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
        var answer: Answer
        var startedAt: Date
        var latency: Duration
    }

    /// A message's routed answer, or the coupon system's answer about its coupon.
    enum Answer: Sendable {
        case routed(RoutedResult)
        case issuance(issuer: String, CouponIssuance)
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
    /// something is, after `timeout`, or — with `wakingOnCancel` — when the task is cancelled.
    /// (A loop that already knows it was cancelled waits without it: a cancelled task would
    /// otherwise wake at once, every time, and spin.)
    func wait(timeout: Duration, wakingOnCancel: Bool = true) async {
        guard wakingOnCancel else { return await sleep(timeout: timeout) }
        await withTaskCancellationHandler {
            await sleep(timeout: timeout)
        } onCancel: {
            signal()
        }
    }

    private func sleep(timeout: Duration) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let generation = state.withLock { state -> UInt64? in
                if state.isSignalled || !state.completions.isEmpty {
                    state.isSignalled = false
                    return nil
                }
                state.generation &+= 1
                state.waiter = continuation
                return state.generation
            }
            guard let generation else { return continuation.resume() }
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(timeout.wholeMilliseconds)) { [self] in
                state.withLock { state -> CheckedContinuation<Void, Never>? in
                    state.generation == generation ? state.takeWaiter() : nil
                }?.resume()
            }
        }
    }
}
