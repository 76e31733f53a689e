import HeraldCore

/// An `event` trigger's `where` as an SQL condition on `events e`: `amount` (yuan, compared
/// in fen), `sku` and `category` are columns; any other field is read from the event's
/// JSON with `json_extract`. A field the event lacks fails every test but `not_in`, as in
/// `FilterCondition.matches`.
struct EventFilterSQL {
    var sql: String
    var parameters: [SQLiteValue] = []

    init(_ expression: FilterExpression) {
        switch expression {
        case .all(let parts), .any(let parts):
            let compiled = parts.map(EventFilterSQL.init)
            let joiner: String = if case .all = expression { " AND " } else { " OR " }
            sql = "(" + compiled.map(\.sql).joined(separator: joiner) + ")"
            parameters = compiled.flatMap(\.parameters)
        case .not(let inner):
            let compiled = EventFilterSQL(inner)
            sql = "(NOT \(compiled.sql))"
            parameters = compiled.parameters
        case .condition(let condition):
            (sql, parameters) = Self.leaf(condition)
        }
    }

    private static func leaf(_ condition: FilterCondition) -> (String, [SQLiteValue]) {
        let column: String
        var values = condition.values.map { value -> SQLiteValue in
            switch value {
            case .text(let text): .text(text)
            case .number(let number): .real(number)
            }
        }
        switch condition.field {
        case "amount":
            column = "e.amount"
            values = condition.values.map { value in
                if case .number(let yuan) = value { .integer(Int64((yuan * 100).rounded())) } else { .null }
            }
        case "sku", "category":
            column = "e.\(condition.field)"
        default:
            // FilterParser admits only [A-Za-z0-9_] field names for events, so quoting is safe.
            column = "json_extract(e.payload, '$.\(condition.field)')"
        }
        let test: String
        switch condition.op {
        case .eq: test = "\(column) = ?"
        case .in, .any, .all: test = "\(column) IN (\(CandidateQuery.marks(values.count)))"
        case .not_in: test = "(\(column) IS NULL OR \(column) NOT IN (\(CandidateQuery.marks(values.count))))"
        case .gt: test = "\(column) > ?"
        case .gte: test = "\(column) >= ?"
        case .lt: test = "\(column) < ?"
        case .lte: test = "\(column) <= ?"
        case .prefix:
            test = "substr(\(column), 1, length(?)) = ?"
            values = [values[0], values[0]]
        }
        return ("coalesce(\(test), 0)", values)
    }
}
