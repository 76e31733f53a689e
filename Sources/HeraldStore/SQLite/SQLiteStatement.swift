import CSQLite
import Foundation
import HeraldCore

/// A prepared SQLite statement that finalizes itself.
@_spi(StoreSQL) public final class SQLiteStatement: SQLStatement {
    private let database: SQLiteDatabase
    private let handle: OpaquePointer
    private let sql: String

    init(database: SQLiteDatabase, sql: String) throws {
        var statement: OpaquePointer?
        try database.check(sqlite3_prepare_v3(database.handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil),
                           "preparing \(sql.prefix(120))")
        guard let statement else {
            throw SQLiteError(code: SQLITE_MISUSE, message: "no statement in the SQL text", context: "preparing \(sql.prefix(120))")
        }
        self.database = database
        self.handle = statement
        self.sql = sql
    }

    deinit {
        sqlite3_finalize(handle)
    }

    // MARK: Binding

    /// SQLite copies bound text at once, so Swift may free its buffer right after the call.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    public func bind(_ value: Int64?, at index: Int32) throws {
        let result = value.map { sqlite3_bind_int64(handle, index, $0) } ?? sqlite3_bind_null(handle, index)
        try database.check(result, "binding parameter \(index) of \(sql.prefix(80))")
    }

    public func bind(_ value: String?, at index: Int32) throws {
        let result = value.map { sqlite3_bind_text(handle, index, $0, -1, Self.transient) } ?? sqlite3_bind_null(handle, index)
        try database.check(result, "binding parameter \(index) of \(sql.prefix(80))")
    }

    public func bind(_ value: Double?, at index: Int32) throws {
        let result = value.map { sqlite3_bind_double(handle, index, $0) } ?? sqlite3_bind_null(handle, index)
        try database.check(result, "binding parameter \(index) of \(sql.prefix(80))")
    }

    // MARK: Stepping

    @discardableResult
    public func step() throws -> Bool {
        try database.check(sqlite3_step(handle), "running \(sql.prefix(120))") == SQLITE_ROW
    }

    public func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    @discardableResult
    public func run(_ values: [SQLValue]) throws -> Int {
        try bind(values)
        while try step() {}
        let changed = database.changes
        reset()
        return changed
    }

    public func runDeferred(_ values: [SQLValue], then handle: @escaping (Int64?) -> Void) throws {
        try bind(values)
        defer { reset() }
        handle(try step() ? integer(at: 0) : nil)
    }

    // MARK: Reading

    public var columnCount: Int32 { sqlite3_column_count(handle) }

    public func columnName(at column: Int32) -> String? {
        sqlite3_column_name(handle, column).map { String(cString: $0) }
    }

    public func isNull(at column: Int32) -> Bool {
        sqlite3_column_type(handle, column) == SQLITE_NULL
    }

    public func integer(at column: Int32) -> Int64? {
        isNull(at: column) ? nil : sqlite3_column_int64(handle, column)
    }

    public func real(at column: Int32) -> Double? {
        isNull(at: column) ? nil : sqlite3_column_double(handle, column)
    }

    public func text(at column: Int32) -> String? {
        guard !isNull(at: column), let bytes = sqlite3_column_text(handle, column) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }
}
