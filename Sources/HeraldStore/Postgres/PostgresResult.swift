import CPostgres

/// A query's result: rows as text, freed with the value.
@_spi(StoreSQL) public final class PostgresResult {
    let handle: OpaquePointer

    init(_ handle: OpaquePointer) { self.handle = handle }
    deinit { PQclear(handle) }

    public var rowCount: Int32 { PQntuples(handle) }
    public var columnCount: Int32 { PQnfields(handle) }
    /// Rows an INSERT, UPDATE or DELETE changed (`PQcmdTuples`); 0 for others.
    public var changes: Int { Int(String(cString: PQcmdTuples(handle))) ?? 0 }

    public func columnName(at column: Int32) -> String? { PQfname(handle, column).map { String(cString: $0) } }
    public func isNull(row: Int32, column: Int32) -> Bool { PQgetisnull(handle, row, column) == 1 }

    public func text(row: Int32, column: Int32) -> String? {
        guard !isNull(row: row, column: column), let bytes = PQgetvalue(handle, row, column) else { return nil }
        let count = Int(PQgetlength(handle, row, column))
        return bytes.withMemoryRebound(to: UInt8.self, capacity: count) {
            String(decoding: UnsafeBufferPointer(start: $0, count: count), as: UTF8.self)
        }
    }

    /// Every row, each column as text (nil for NULL).
    public var rows: [[String?]] {
        (0..<rowCount).map { row in (0..<columnCount).map { text(row: row, column: $0) } }
    }
}
