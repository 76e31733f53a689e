/// Groups a stream of writes into transactions of `batchSize` units, so a large import
/// commits regularly (bounded WAL, progress survives a crash) without paying a commit per row.
///
/// `beforeCommit` runs inside each transaction right before it commits: importers flush
/// per-batch aggregates there, so the aggregates and the rows they came from land together.
final class BatchedTransaction {
    private let database: SQLiteDatabase
    private let batchSize: Int
    private let beforeCommit: () throws -> Void
    private var unitsInBatch = 0
    private var isOpen = false

    init(database: SQLiteDatabase, batchSize: Int, beforeCommit: @escaping () throws -> Void = {}) {
        self.database = database
        self.batchSize = max(1, batchSize)
        self.beforeCommit = beforeCommit
    }

    /// Call before each unit of work.
    func begin() throws {
        guard !isOpen else { return }
        try database.execute(SQLiteDatabase.TransactionKind.immediate.rawValue)
        isOpen = true
        unitsInBatch = 0
    }

    /// Call after each unit of work; commits when the batch is full.
    func unitDone() throws {
        unitsInBatch += 1
        if unitsInBatch >= batchSize { try commit() }
    }

    /// Commits what is open (at the end, or when the input goes quiet).
    func commit() throws {
        guard isOpen else { return }
        try beforeCommit()
        try database.execute("COMMIT")
        isOpen = false
    }

    /// Rolls back the open batch after a failure; earlier batches stay committed.
    func abandon() {
        guard isOpen else { return }
        try? database.execute("ROLLBACK")
        isOpen = false
    }
}
