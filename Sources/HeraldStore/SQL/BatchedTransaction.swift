import Foundation

/// Groups a stream of writes into transactions of `batchSize` units or `maximumHold` of
/// time, whichever comes first, so a large import commits regularly (bounded WAL, progress
/// survives a crash) without paying a commit per row — and no writer holds the store's write
/// lock long enough to stall delivery (issue 11: at most a quarter second per transaction).
///
/// `beforeCommit` runs inside each transaction right before it commits: importers flush
/// per-batch aggregates there, so the aggregates and the rows they came from land together.
///
/// Started inside a transaction the caller opened (`MemberStore.withTransaction`), it joins
/// that one: its "commits" only run `beforeCommit`, and the caller's transaction decides.
final class BatchedTransaction {
    private let database: any SQLDatabase
    private let batchSize: Int
    private let maximumHold: Duration
    private let beforeCommit: () throws -> Void
    private var unitsInBatch = 0
    private var isOpen = false
    /// The batch is part of a transaction someone else opened, committed or rolled back by them.
    private var isJoined = false
    private var openedAt = ContinuousClock.now

    /// The longest a batch keeps the write lock by default.
    static let defaultMaximumHold: Duration = .milliseconds(250)

    init(database: any SQLDatabase, batchSize: Int, maximumHold: Duration = BatchedTransaction.defaultMaximumHold,
         beforeCommit: @escaping () throws -> Void = {}) {
        self.database = database
        self.batchSize = max(1, batchSize)
        self.maximumHold = maximumHold
        self.beforeCommit = beforeCommit
    }

    var hasOpenBatch: Bool { isOpen }

    /// Call before each unit of work.
    func begin() throws {
        guard !isOpen else { return }
        isJoined = database.isInTransaction
        if !isJoined { try database.execute(database.dialect.beginWrite) }
        isOpen = true
        unitsInBatch = 0
        openedAt = .now
    }

    /// How long the writer stays out of the lock after a batch it had to cut: other connections
    /// waiting for it look every millisecond, so this is time enough for one of them to get in.
    static let yieldAfterBatch: UInt32 = 2_000

    /// Call after each unit of work; commits when the batch is full or has held the lock long
    /// enough, then leaves the lock free for a moment (a long writer must not starve the others).
    func unitDone() throws {
        unitsInBatch += 1
        if unitsInBatch >= batchSize || ContinuousClock.now - openedAt >= maximumHold {
            let yields = !isJoined
            try commit()
            if yields { usleep(Self.yieldAfterBatch) }
        }
    }

    /// Commits the open batch if it has held the lock long enough: for callers whose units
    /// sometimes write nothing (and so never reach `unitDone`).
    func commitIfHeldTooLong() throws {
        guard isOpen, !isJoined, ContinuousClock.now - openedAt >= maximumHold else { return }
        try commit()
        usleep(Self.yieldAfterBatch)
    }

    /// Commits what is open (at the end, or when the input goes quiet).
    func commit() throws {
        guard isOpen else { return }
        try beforeCommit()
        if !isJoined { try database.execute("COMMIT") }
        isOpen = false
    }

    /// Rolls back the open batch after a failure; earlier batches stay committed. A joined
    /// batch is left to its owner, whom the failure reaches.
    func abandon() {
        guard isOpen else { return }
        if !isJoined { try? database.execute("ROLLBACK") }
        isOpen = false
    }
}
