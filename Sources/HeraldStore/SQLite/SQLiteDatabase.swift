import CSQLite
import Foundation
import HeraldCore

/// A connection to one SQLite database file.
///
/// Every `sqlite3_*` result goes through `check`, which throws an `SQLiteError` carrying
/// the code and `sqlite3_errmsg`. One connection belongs to one task at a time (it is not
/// `Sendable`); open another connection for concurrent work, WAL lets readers run beside a writer.
@_spi(StoreSQL) public final class SQLiteDatabase: SQLDatabase {
    let handle: OpaquePointer
    public let path: String
    public let isReadOnly: Bool
    public var transactionDepth = 0
    public var dialect: SQLDialect { .sqlite }
    public var location: StoreLocation { .sqlite(path: path) }
    private var temporaryTablesOnDisk = false

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
        if evaluatorLock >= 0 { close(evaluatorLock) }
        sqlite3_close_v2(handle)
    }

    /// The open lock file while this connection is the evaluator (-1: it is not).
    private var evaluatorLock: Int32 = -1

    /// An exclusive `flock` on `<store>-evaluator.lock` beside the file: the kernel frees it
    /// when the process ends, however it ends.
    public func holdEvaluatorLock() throws -> Bool {
        guard evaluatorLock < 0 else { return true }
        let file = path + "-evaluator.lock"
        let descriptor = open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw SQLiteError(code: SQLITE_CANTOPEN, message: String(cString: strerror(errno)), context: "opening \(file)")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            return false
        }
        evaluatorLock = descriptor
        return true
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

    public func execute(_ sql: String) throws {
        try check(sqlite3_exec(handle, sql, nil, nil, nil), "running \(sql.prefix(80))")
    }

    public func prepare(_ sql: String) throws -> any SQLStatement {
        try SQLiteStatement(database: self, sql: sql)
    }

    /// In-process, a statement costs no round trip: nothing to defer.
    public func withDeferredResults<Result>(_ body: () throws -> Result) throws -> Result { try body() }

    /// Rows changed by the last INSERT, UPDATE or DELETE.
    var changes: Int { Int(sqlite3_changes(handle)) }

    /// On a read-only connection (`preview`) rows stream straight from the query. On a
    /// writing one the query is first copied into a temporary table and read back a page at
    /// a time: no read of the store stays open across the writer's commits, so its snapshot
    /// does not pin the WAL (which would then grow by every page each commit rewrites) and a
    /// commit never meets a pending read.
    public func forEachPage(of sql: String, _ parameters: [SQLValue], pageSize: Int,
                            readRow: (any SQLStatement) throws -> Void, pageDone: () throws -> Void) throws {
        let size = max(1, pageSize)
        guard !isReadOnly else {
            // Nothing writes through a read-only connection: pages are cut from the open read.
            let statement = try prepare(sql)
            try statement.bind(parameters)
            var rows = 0
            while try statement.step() {
                try readRow(statement)
                rows += 1
                if rows % size == 0 { try pageDone() }
            }
            try pageDone()
            return
        }
        // On disk, not in memory: a tick at 10M members may have millions of candidates. A copy
        // left by a read that failed half-way goes first.
        try keepTemporaryTablesOnDisk()
        try execute("DROP TABLE IF EXISTS temp.herald_pages")
        let copy = try prepare("CREATE TEMP TABLE herald_pages AS " + sql)
        try copy.bind(parameters)
        try copy.step()
        defer { try? execute("DROP TABLE IF EXISTS temp.herald_pages") }
        // A fresh table numbers its rows 1, 2, … in the query's order.
        let page = try prepare("SELECT * FROM temp.herald_pages WHERE rowid > ? ORDER BY rowid LIMIT ?")
        var last: Int64 = 0
        while true {
            try page.bind([.integer(last), .integer(Int64(size))])
            var rows = 0
            while try page.step() {
                rows += 1
                try readRow(page)
            }
            page.reset()
            last += Int64(rows)
            try pageDone()
            if rows < size { return }
        }
    }

    /// Keeps this connection's temporary tables in a file, not in memory (a run's candidates
    /// may be millions of rows). Set once, before the first temporary table: changing it later
    /// would drop them.
    private func keepTemporaryTablesOnDisk() throws {
        guard !temporaryTablesOnDisk else { return }
        try execute("PRAGMA temp_store = FILE")
        temporaryTablesOnDisk = true
    }
}
