import Foundation
import HeraldCore
import HeraldStore

/// The edge's one writing connection, for what must be committed before it is acknowledged
/// (replies, receipts, unsubscribes), on a thread of its own.
///
/// Routes hand it work and are answered once that work is committed; the server keeps their
/// connections waiting meanwhile without keeping one of its threads (`EdgeHandler`). Whatever
/// arrives while a commit is under way is committed together next (group commit): one
/// transaction and one fsync (`StoreFactory.Access.durableWrites`) for up to `maximumGroup`
/// callbacks, cut earlier when it has held the write lock for `maximumHold` (issue 11: no
/// writer holds it longer). There is no deliberate wait: an idle edge commits each callback
/// at once, a busy one in groups as large as its commits are slow.
///
/// Each piece of work runs in a savepoint of its own: one that fails is rolled back alone and
/// answered with its error, the others of its group are committed; nothing runs twice. When
/// the transaction itself cannot begin or commit (a busy or full store), every piece in it is
/// answered with that error.
final class StoreWriter: @unchecked Sendable {
    // @unchecked: `store` and `ingester` are used on the writer thread only; `queue`, `stopped`
    // and `finished` under `condition`; the jobs' closures run on the writer thread only.
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
    /// The longest one transaction keeps the store's write lock (as `herald ingest`'s batches).
    static let maximumHold: Duration = .milliseconds(250)

    /// A piece of work, and what to do once its transaction committed (or failed).
    private struct Job {
        /// Runs the work; returns what to call when it is committed.
        var attempt: (any MemberStore, any EventIngester) throws -> () -> Void
        var fail: (any Error) -> Void
    }

    init(location: StoreLocation, keys: StoreKeys, defaultTimeZone: TimeZone, clock: any WallClock,
         committed: @escaping @Sendable (_ callbacks: Int) -> Void = { _ in }) throws {
        self.committed = committed
        store = try StoreFactory.open(location, keys: keys, access: .durableWrites)
        ingester = try store.makeEventIngester(defaultTimeZone: defaultTimeZone, clock: clock, batchSize: 10_000)
        let thread = Thread { [self] in run() }
        thread.name = "herald-edge-writer"
        thread.start()
    }

    /// Runs `work` in the next group's transaction; `done` gets its outcome once that
    /// transaction committed, or the error (once, either way).
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
            var next = 0
            while next < group.count { next = commit(group, from: next) }
        }
    }

    /// Runs the group's work from `start` in one transaction, each piece in a savepoint, until
    /// all ran or the transaction held the lock `maximumHold`; commits and answers them.
    /// Returns where the next transaction starts.
    private func commit(_ group: [Job], from start: Int) -> Int {
        var answers: [() -> Void] = []
        var failures: [(job: Job, error: any Error)] = []
        var end = start
        let began = ContinuousClock.now
        do {
            try store.withTransaction {
                while end < group.count {
                    let job = group[end]
                    end += 1
                    do {
                        answers.append(try store.withTransaction { try job.attempt(store, ingester) })
                    } catch {
                        failures.append((job, error))
                    }
                    if ContinuousClock.now - began >= Self.maximumHold { break }
                }
            }
        } catch {
            // The transaction could not begin (the store is busy or gone: the rest would wait
            // as long again, so all of it fails now) or commit: nothing of it is stored.
            let failed = end == start ? group.count : end
            for job in group[start..<failed] { job.fail(error) }
            return failed
        }
        committed(answers.count)
        answers.forEach { $0() }
        failures.forEach { $0.job.fail($0.error) }
        return end
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
