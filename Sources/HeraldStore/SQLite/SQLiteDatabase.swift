import CSQLite
import Foundation

/// A connection to one SQLite database file.
///
/// Every `sqlite3_*` result goes through `check`, which throws an `SQLiteError` carrying
/// the code and `sqlite3_errmsg`. One connection belongs to one task at a time (it is not
/// `Sendable`); open another connection for concurrent work, WAL lets readers run beside a writer.
@_spi(StoreSQL) public final class SQLiteDatabase {
    public enum TransactionKind: String {
        /// Takes the write lock at `BEGIN`, so a write transaction never fails half-way on a lock upgrade.
        case immediate = "BEGIN IMMEDIATE"
        /// For read-only transactions: a consistent snapshot without blocking writers.
        case deferred = "BEGIN DEFERRED"
    }

    let handle: OpaquePointer
    public let path: String
    /// Opened for reading only: every write fails.
    public let isReadOnly: Bool

    /// Opens (creating if needed) with WAL, a busy timeout and foreign keys on.
    /// `readOnly` opens an existing file only, and any write through it fails.
    public init(path: String, readOnly: Bool = false, busyTimeoutMilliseconds: Int32 = 5000) throws {
        var connection: OpaquePointer?
        let flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX
        let result = sqlite3_open_v2(path, &connection, flags, nil)
        guard result == SQLITE_OK, let connection else {
            let message = connection.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(connection)
            throw SQLiteError(code: result, message: message, context: "opening \(path)")
        }
        self.handle = connection
        self.path = path
        isReadOnly = readOnly
        // SQLite's own busy timeout backs off to 100 ms sleeps, so a waiting writer keeps missing
        // the short gaps a busy writer leaves between its batches; this handler looks every
        // millisecond until the timeout (an attempt takes a little over one).
        let limit = UnsafeMutableRawPointer(bitPattern: Int(max(busyTimeoutMilliseconds, 1)))
        try check(sqlite3_busy_handler(handle, { limit, attempts in
            guard attempts < Int32(truncatingIfNeeded: Int(bitPattern: limit)) else { return 0 }
            usleep(1000)
            return 1
        }, limit), "setting the busy handler")
        sqlite3_extended_result_codes(handle, 1)
        guard !readOnly else { return }
        try execute("PRAGMA journal_mode = WAL")
        try execute("PRAGMA synchronous = NORMAL")
        try execute("PRAGMA foreign_keys = ON")
    }

    deinit {
        sqlite3_close_v2(handle)
    }

    /// The one checkpoint for C results: anything but OK, ROW or DONE throws.
    @discardableResult
    func check(_ result: Int32, _ context: @autoclosure () -> String) throws -> Int32 {
        switch result {
        case SQLITE_OK, SQLITE_ROW, SQLITE_DONE:
            return result
        default:
            throw SQLiteError(code: result, message: String(cString: sqlite3_errmsg(handle)), context: context())
        }
    }

    /// Runs one or more statements that return no rows (schema, pragmas).
    public func execute(_ sql: String) throws {
        try check(sqlite3_exec(handle, sql, nil, nil, nil), "running \(sql.prefix(80))")
    }

    public func prepare(_ sql: String) throws -> SQLiteStatement {
        try SQLiteStatement(database: self, sql: sql)
    }

    /// How deep `withTransaction` calls are nested on this connection (0: none open).
    private var transactionDepth = 0

    /// Whether `withTransaction` has a transaction open on this connection: work that batches
    /// its own commits (`BatchedTransaction`) joins it instead. A transaction opened any other
    /// way does not count, so nothing joins one that was left open by mistake.
    public var isInTransaction: Bool { transactionDepth > 0 }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    /// Inside another `withTransaction`, `body` runs in a savepoint of it: a throw rolls back
    /// only what `body` wrote, and the outer transaction decides about the rest.
    public func withTransaction<Result>(_ kind: TransactionKind = .immediate, _ body: () throws -> Result) throws -> Result {
        let savepoint = transactionDepth > 0 ? "herald_\(transactionDepth)" : nil
        try execute(savepoint.map { "SAVEPOINT \($0)" } ?? kind.rawValue)
        transactionDepth += 1
        defer { transactionDepth -= 1 }
        do {
            let result = try body()
            try execute(savepoint.map { "RELEASE \($0)" } ?? "COMMIT")
            return result
        } catch {
            if let savepoint {
                try? execute("ROLLBACK TO \(savepoint); RELEASE \(savepoint)")
            } else {
                try? execute("ROLLBACK")
            }
            throw error
        }
    }

    /// Rows changed by the last INSERT, UPDATE or DELETE.
    public var changes: Int { Int(sqlite3_changes(handle)) }

    public var lastInsertedRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// The first column of the first row, for one-off questions (`SELECT count(*) …`).
    public func scalarInteger(_ sql: String, _ values: SQLiteValue...) throws -> Int64? {
        let statement = try prepare(sql)
        try statement.bind(values)
        guard try statement.step() else { return nil }
        return statement.integer(at: 0)
    }

    /// The first column of the first row as text.
    public func scalarText(_ sql: String, _ values: SQLiteValue...) throws -> String? {
        let statement = try prepare(sql)
        try statement.bind(values)
        guard try statement.step() else { return nil }
        return statement.text(at: 0)
    }
}
