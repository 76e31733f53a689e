/// A statement on PostgreSQL: bound values kept until it runs, run on its first `step()`
/// (prepared on the server once per connection and parameter types, `PostgresDatabase`), its
/// rows then read from the result. Integers are sent as `bigint`, reals as `double
/// precision`, text as `text`; NULL leaves the type to the server.
@_spi(StoreSQL) public final class PostgresStatement: SQLStatement {
    private let database: PostgresDatabase
    /// The text with `$N` parameters.
    let sql: String
    /// False for statements run once (`FETCH` from a cursor): not prepared on the server.
    let isPrepared: Bool
    private(set) var parameters: [PostgresParameter]
    private var result: PostgresResult?
    private var row: Int32 = -1

    init(database: PostgresDatabase, sql: String, isPrepared: Bool = true) {
        self.database = database
        let numbered = PostgresSQLText.numberingParameters(sql)
        self.sql = numbered.sql
        self.isPrepared = isPrepared
        parameters = Array(repeating: .null, count: numbered.count)
    }

    // MARK: Binding

    private func set(_ parameter: PostgresParameter, at index: Int32) throws {
        guard index >= 1, Int(index) <= parameters.count else {
            throw PostgresError(state: nil, message: "parameter \(index) is not in \(sql.prefix(80))")
        }
        parameters[Int(index) - 1] = parameter
    }

    public func bind(_ value: Int64?, at index: Int32) throws {
        try set(value.map(PostgresParameter.bigint) ?? .null, at: index)
    }

    public func bind(_ value: String?, at index: Int32) throws {
        try set(value.map(PostgresParameter.text) ?? .null, at: index)
    }

    public func bind(_ value: Double?, at index: Int32) throws {
        try set(value.map(PostgresParameter.double) ?? .null, at: index)
    }

    // MARK: Stepping

    @discardableResult
    public func step() throws -> Bool {
        if result == nil {
            result = try database.run(self)
            row = -1
        }
        row += 1
        return row < (result?.rowCount ?? 0)
    }

    public func reset() {
        result = nil
        row = -1
        for index in parameters.indices { parameters[index] = .null }
    }

    @discardableResult
    public func run(_ values: [SQLValue]) throws -> Int {
        try bind(values)
        let changed = try database.runForEffect(self)
        reset()
        return changed
    }

    public func runDeferred(_ values: [SQLValue], then handle: @escaping (Int64?) -> Void) throws {
        try bind(values)
        defer { reset() }
        try database.runDeferred(self) { result in
            handle(result.rowCount > 0 ? Self.integer(fromText: result.text(row: 0, column: 0)) : nil)
        }
    }

    // MARK: Reading

    public var columnCount: Int32 { result?.columnCount ?? 0 }

    public func columnName(at column: Int32) -> String? { result?.columnName(at: column) }

    public func isNull(at column: Int32) -> Bool { result?.isNull(row: row, column: column) ?? true }

    /// `t`/`f` (a boolean expression) read as 1/0, as SQLite gives them; a numeric with a
    /// fraction is cut to its integer part, one beyond 64 bits saturates.
    public func integer(at column: Int32) -> Int64? { Self.integer(fromText: text(at: column)) }

    private static func integer(fromText text: String?) -> Int64? {
        guard let text else { return nil }
        switch text {
        case "t": return 1
        case "f": return 0
        default:
            if let integer = Int64(text) { return integer }
            guard let real = Double(text), !real.isNaN else { return nil }
            return real >= 0x1p63 ? .max : real < -0x1p63 ? .min : Int64(real.rounded(.towardZero))
        }
    }

    public func real(at column: Int32) -> Double? { text(at: column).flatMap(Double.init) }

    public func text(at column: Int32) -> String? {
        guard let result, row >= 0, row < result.rowCount else { return nil }
        return result.text(row: row, column: column)
    }
}
