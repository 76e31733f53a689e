/// A statement parameter as libpq takes it: text, with a type the server is told (0: it infers).
@_spi(StoreSQL) public struct PostgresParameter: Sendable, Equatable {
    public var text: String?
    public var type: UInt32

    public static let null = PostgresParameter(text: nil, type: 0)
    public static func text(_ value: String) -> PostgresParameter { PostgresParameter(text: value, type: 25) }
    public static func bigint(_ value: Int64) -> PostgresParameter { PostgresParameter(text: String(value), type: 20) }
    public static func double(_ value: Double) -> PostgresParameter {
        PostgresParameter(text: doubleText(value), type: 701)
    }

    /// A double as PostgreSQL reads it (shortest round trip; NaN and the infinities by name).
    static func doubleText(_ value: Double) -> String {
        value.isFinite ? "\(value)" : (value.isNaN ? "NaN" : (value > 0 ? "Infinity" : "-Infinity"))
    }
}
