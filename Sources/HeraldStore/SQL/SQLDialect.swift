/// The few places where SQLite and PostgreSQL spell the same thing differently, as
/// fragments the store's SQL is built from. Everything else is written once in the SQL both
/// accept (`ON CONFLICT`, `RETURNING`, `coalesce`, `TRUE`/`FALSE`, row values, savepoints).
///
/// Fragments take SQL expressions and give SQL expressions; none of them sees a value, so
/// nothing here can inject anything.
@_spi(StoreSQL) public enum SQLDialect: Sendable {
    case sqlite
    case postgres

    /// What a write transaction starts with: SQLite takes the write lock at once, so a write
    /// never fails half-way on a lock upgrade; PostgreSQL locks rows as they are written.
    public var beginWrite: String {
        switch self {
        case .sqlite: "BEGIN IMMEDIATE"
        case .postgres: "BEGIN"
        }
    }

    /// The larger of two values (SQLite's two-argument `max`). NULL differs — SQLite's `max`
    /// gives NULL, `greatest` ignores it — so every caller passes values that are not NULL
    /// (`coalesce` around a column that may be).
    public func greatest(_ first: String, _ second: String) -> String {
        switch self {
        case .sqlite: "max(\(first), \(second))"
        case .postgres: "greatest(\(first), \(second))"
        }
    }

    /// The smaller of two values (SQLite's two-argument `min`); the same NULL caveat as `greatest`.
    public func least(_ first: String, _ second: String) -> String {
        switch self {
        case .sqlite: "min(\(first), \(second))"
        case .postgres: "least(\(first), \(second))"
        }
    }

    /// `first` and `second` differ, NULL counting as a value (row values too).
    public func isDistinct(_ first: String, _ second: String) -> String {
        switch self {
        case .sqlite: "\(first) IS NOT \(second)"
        case .postgres: "\(first) IS DISTINCT FROM \(second)"
        }
    }

    /// `first` and `second` are equal, NULL counting as a value.
    public func isNotDistinct(_ first: String, _ second: String) -> String {
        switch self {
        case .sqlite: "\(first) IS \(second)"
        case .postgres: "\(first) IS NOT DISTINCT FROM \(second)"
        }
    }

    /// The sum of an integer column as a 64-bit integer, 0 over no rows, saturating at the
    /// 64-bit limits instead of failing: one member's absurd stored values must not fail a
    /// query for everyone.
    public func saturatingSum(_ expression: String) -> String {
        switch self {
        case .sqlite:
            // total() never raises SQLite's integer overflow (sum() does); the cast saturates.
            "CAST(total(\(expression)) AS BIGINT)"
        case .postgres:
            // sum(bigint) is numeric: no overflow, clamped before the cast back.
            "CAST(least(greatest(coalesce(sum(\(expression)), 0), -9223372036854775808), "
                + "9223372036854775807) AS BIGINT)"
        }
    }

    /// The sum of an integer column, NULL over no rows (no saturation: counts and fen of one report).
    public func sum(_ expression: String) -> String {
        switch self {
        case .sqlite: "sum(\(expression))"
        case .postgres: "CAST(sum(\(expression)) AS BIGINT)"
        }
    }

    /// A condition as 1 or 0, to count or to take the maximum of.
    public func asInteger(_ condition: String) -> String {
        switch self {
        case .sqlite: "(\(condition))"
        case .postgres: "CAST((\(condition)) AS INTEGER)"
        }
    }

    /// `InstantFormatter.utcString` of an epoch-seconds expression (`2026-05-20T01:30:00Z`).
    public func utcString(_ epochSeconds: String) -> String {
        switch self {
        case .sqlite: "strftime('%Y-%m-%dT%H:%M:%SZ', \(epochSeconds), 'unixepoch')"
        case .postgres: "to_char(to_timestamp(\(epochSeconds)) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
        }
    }

    /// The UTC calendar date of an epoch-seconds expression (`2026-05-20`).
    public func utcDate(_ epochSeconds: String) -> String {
        switch self {
        case .sqlite: "date(\(epochSeconds), 'unixepoch')"
        case .postgres: "to_char(to_timestamp(\(epochSeconds)) AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
        }
    }

    /// The values of a text column joined with commas.
    public func commaList(_ expression: String) -> String {
        switch self {
        case .sqlite: "group_concat(\(expression))"
        case .postgres: "string_agg(\(expression), ',')"
        }
    }

    /// A column kept out of index selection (SQLite's unary `+`): an open report period reads
    /// the table in order instead of one random row per index entry. PostgreSQL's planner
    /// decides from its statistics.
    public func withoutIndex(_ column: String) -> String {
        switch self {
        case .sqlite: "+\(column)"
        case .postgres: column
        }
    }

    /// Appended to a `SELECT` whose rows of `table` this transaction is about to update: other
    /// workers skip them instead of claiming them too (SQLite's write lock already serializes).
    public func forUpdateSkipLocked(of table: String) -> String {
        switch self {
        case .sqlite: ""
        case .postgres: " FOR UPDATE OF \(table) SKIP LOCKED"
        }
    }

    /// Appended to a `SELECT` reading rows of `table` that this transaction then decides
    /// about: a second worker waits instead of deciding at the same time.
    public func forUpdate(of table: String) -> String {
        switch self {
        case .sqlite: ""
        case .postgres: " FOR UPDATE OF \(table)"
        }
    }
}

extension SQLDialect {
    /// The JSON object `json`'s member `field` when it is a string, else NULL. `field` must
    /// be a plain name (`[A-Za-z0-9_]`): it is written into the SQL.
    public func jsonText(_ json: String, _ field: String) -> String {
        switch self {
        case .sqlite:
            "CASE WHEN json_type(\(json), '$.\(field)') = 'text' THEN json_extract(\(json), '$.\(field)') END"
        case .postgres:
            "CASE WHEN jsonb_typeof(CAST(\(json) AS jsonb) -> '\(field)') = 'string' "
                + "THEN CAST(\(json) AS jsonb) ->> '\(field)' END"
        }
    }

    /// The JSON object `json`'s member `field` as text when it is a string or a number (a
    /// template shows either), else NULL. `field` must be a plain name, as for `jsonText`.
    public func jsonScalarText(_ json: String, _ field: String) -> String {
        switch self {
        case .sqlite:
            "CASE WHEN json_type(\(json), '$.\(field)') IN ('text', 'integer', 'real') "
                + "THEN CAST(json_extract(\(json), '$.\(field)') AS TEXT) END"
        case .postgres:
            "CASE WHEN jsonb_typeof(CAST(\(json) AS jsonb) -> '\(field)') IN ('string', 'number') "
                + "THEN CAST(\(json) AS jsonb) ->> '\(field)' END"
        }
    }

    /// The JSON object `json`'s member `field` when it is a number, as a double (how the
    /// filters compare numbers everywhere else), else NULL. On PostgreSQL a number beyond a
    /// double's range (JSON allows it) is NULL rather than an error that would fail the query.
    public func jsonNumber(_ json: String, _ field: String) -> String {
        switch self {
        case .sqlite:
            "CASE WHEN json_type(\(json), '$.\(field)') IN ('integer', 'real') "
                + "THEN json_extract(\(json), '$.\(field)') END"
        case .postgres:
            "CASE WHEN jsonb_typeof(CAST(\(json) AS jsonb) -> '\(field)') = 'number' "
                + "AND abs(CAST(CAST(\(json) AS jsonb) ->> '\(field)' AS numeric)) < 1e308 "
                + "THEN CAST(CAST(\(json) AS jsonb) ->> '\(field)' AS double precision) END"
        }
    }
}

extension SQLDialect {
    /// `column` is one of the keys bound, as `keyList` makes them, to the parameter `parameter`:
    /// a batch of rows named in one statement instead of one statement each.
    public func isOneOf(_ column: String, keysIn parameter: String) -> String {
        switch self {
        case .sqlite: "\(column) IN (SELECT value FROM json_each(\(parameter)))"
        case .postgres: "\(column) = ANY (CAST(\(parameter) AS BIGINT[]))"
        }
    }

    /// `keys` as the one parameter `isOneOf` reads: a JSON array for SQLite, an array literal for PostgreSQL.
    public func keyList(_ keys: [Int64]) -> SQLValue {
        let list = keys.map(String.init).joined(separator: ",")
        return switch self {
        case .sqlite: .text("[" + list + "]")
        case .postgres: .text("{" + list + "}")
        }
    }
}
