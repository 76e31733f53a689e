/// A value to bind to a statement parameter, for code off the hot path; hot loops use
/// the typed `bind` overloads directly. The same values serve SQLite and PostgreSQL.
@_spi(StoreSQL) public enum SQLValue: Sendable, Equatable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByNilLiteral {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)

    /// An integer, or NULL when absent.
    public static func optional(_ value: Int64?) -> SQLValue { value.map(SQLValue.integer) ?? .null }

    /// A text, or NULL when absent.
    public static func optional(_ value: String?) -> SQLValue { value.map(SQLValue.text) ?? .null }

    public init(stringLiteral value: String) { self = .text(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(nilLiteral: ()) { self = .null }
}
