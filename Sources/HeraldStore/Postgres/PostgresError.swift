/// A PostgreSQL failure: the server's SQLSTATE (`42P01` undefined table, `23505` unique
/// violation, `40001` serialization failure, …) when it gave one.
@_spi(StoreSQL) public struct PostgresError: Error, CustomStringConvertible {
    public var state: String?
    public var message: String
    public var description: String { state.map { "PostgreSQL \($0): \(message)" } ?? "PostgreSQL: \(message)" }
}
