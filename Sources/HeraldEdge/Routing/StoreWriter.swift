import Foundation
import HeraldCore
import HeraldStore

/// The edge's one writing connection, for what must be committed before it is acknowledged
/// (replies, receipts, unsubscribes), on a thread of its own.
///
/// Routes hand it work and are answered once that work is committed; the server keeps their
/// connections waiting meanwhile without keeping one of its threads (`EdgeHandler`). Whatever
/// arrives while a commit is under way is committed together next (group commit): one
/// transaction and one fsync (`StoreFactory.Access.durableWrites`) for up to
/// `maximumGroup` callbacks. There is no deliberate wait: an idle edge commits each callback
/// at once, a busy one in groups as large as its commits are slow.
///
/// One callback that fails (the store refuses its rows) must not fail the others of its group:
/// when a group's transaction fails, each of its callbacks is tried again alone.
final class StoreWriter: @unchecked Sendable {
    // @unchecked: `store` and `ingester` are used on the writer thread only; `queue` and
    // `stopped` under `condition`.
    private let store: any MemberStore
    /// Prepared once (its statements), not per callback.
    private let ingester: any EventIngester
    private let condition = NSCondition()
    private var queue: [Job] = []
    private var stopped = false
    private var finished = false
    /// Told the size of each group committed (the edge's metrics).
    private let committed: @Sendable (Int) -> Void

    /// The most callbacks one transaction carries.
    static let maximumGroup = 512

    /// A piece of work, and what to do once its transaction committed (or failed).
    private struct Job {
        /// Runs the work; returns what to call when it is committed.
        var attempt: (any MemberStore, any EventIngester) throws -> () -> Void
        var fail: (any Error) -> Void
    }

    init(location: StoreLocation, defaultTimeZone: TimeZone, clock: any WallClock,
         committed: @escaping @Sendable (_ callbacks: Int) -> Void = { _ in }) throws {
        self.committed = committed
        store = try StoreFactory.open(location, access: .durableWrites)
        ingester = try store.makeEventIngester(defaultTimeZone: defaultTimeZone, clock: clock, batchSize: 10_000)
        let thread = Thread { [self] in run() }
        thread.name = "herald-edge-writer"
        thread.start()
    }

    /// Runs `work` in the next group's transaction; `done` gets its outcome once that
    /// transaction committed, or the error. Work that may run twice (alone, after its group
    /// failed) keeps its effects in the store, not in what it captured.
    func submit<Outcome>(_ work: @escaping @Sendable (any MemberStore, any EventIngester) throws -> Outcome,
                         done: @escaping @Sendable (Result<Outcome, any Error>) -> Void) {
        let job = Job(attempt: { store, ingester in
            let outcome = try work(store, ingester)
            return { done(.success(outcome)) }
        }, fail: { done(.failure($0)) })
        let accepted = condition.withLock {
            guard !stopped else { return false }
            queue.append(job)
            condition.signal()
            return true
        }
        if !accepted { done(.failure(StoppingError())) }
    }

    /// Work waiting for the next group.
    var queued: Int { condition.withLock { queue.count } }

    /// Commits what is queued, then ends the thread; later work fails at once.
    func stop() {
        condition.withLock {
            stopped = true
            condition.broadcast()
            while !finished { condition.wait() }
        }
    }

    private func run() {
        while let group = nextGroup() {
            do {
                let answers = try store.withTransaction { try group.map { try $0.attempt(store, ingester) } }
                committed(group.count)
                answers.forEach { $0() }
            } catch {
                for job in group {
                    do {
                        let answer = try store.withTransaction { try job.attempt(store, ingester) }
                        committed(1)
                        answer()
                    } catch {
                        job.fail(error)
                    }
                }
            }
        }
    }

    /// Work that came after `stop`.
    struct StoppingError: Error, CustomStringConvertible {
        var description: String { "the edge is stopping" }
    }

    /// The next group, waiting for one; nil once stopped and drained.
    private func nextGroup() -> [Job]? {
        condition.withLock {
            while queue.isEmpty && !stopped { condition.wait() }
            guard !queue.isEmpty else {
                finished = true
                condition.broadcast()
                return nil
            }
            let group = Array(queue.prefix(Self.maximumGroup))
            queue.removeFirst(group.count)
            return group
        }
    }
}
