import HeraldCore

/// An `event` trigger's `where` as an SQL condition on `events e`, with the meaning
/// `FilterCondition.matches` gives it: `amount` (yuan, compared in fen), `sku` and
/// `category` are columns; any other field is read from the event's JSON. A value is
/// compared only with a filter value of its own type (a text never equals a number, and only
/// numbers are ordered); a field the event lacks, or holds with another type, fails every
/// test but `not_in`.
struct EventFilterSQL {
    var sql: String
    var parameters: [SQLValue] = []

    init(_ expression: FilterExpression, _ dialect: SQLDialect) {
        switch expression {
        case .all(let parts), .any(let parts):
            let compiled = parts.map { EventFilterSQL($0, dialect) }
            let joiner: String = if case .all = expression { " AND " } else { " OR " }
            sql = "(" + compiled.map(\.sql).joined(separator: joiner) + ")"
            parameters = compiled.flatMap(\.parameters)
        case .not(let inner):
            let compiled = EventFilterSQL(inner, dialect)
            sql = "(NOT \(compiled.sql))"
            parameters = compiled.parameters
        case .condition(let condition):
            (sql, parameters) = Self.leaf(condition, dialect)
        }
    }

    /// The expressions a field offers for each type of filter value (nil: never of that type).
    private struct Field {
        var text: String?
        var number: String?
        /// What a number filter value is bound as: fen for `amount`.
        var numberValue: (Double) -> SQLValue = { .real($0) }
    }

    private static func field(_ name: String, _ dialect: SQLDialect) -> Field {
        switch name {
        case "amount":
            Field(number: "e.amount", numberValue: { .integer(Int64(($0 * 100).rounded())) })
        case "sku", "category":
            Field(text: "e.\(name)")
        default:
            // FilterParser admits only [A-Za-z0-9_] field names for events, so writing them in is safe.
            Field(text: dialect.jsonText("e.payload", name), number: dialect.jsonNumber("e.payload", name))
        }
    }

    private static func leaf(_ condition: FilterCondition, _ dialect: SQLDialect) -> (String, [SQLValue]) {
        let field = field(condition.field, dialect)
        var parameters: [SQLValue] = []
        /// `expression op ?` for one filter value, nil when the field never has its type.
        func test(_ value: FilterScalar, _ op: String) -> String? {
            switch value {
            case .text(let text):
                guard let expression = field.text else { return nil }
                parameters.append(.text(text))
                return "\(expression) \(op) ?"
            case .number(let number):
                guard let expression = field.number else { return nil }
                parameters.append(field.numberValue(number))
                return "\(expression) \(op) ?"
            }
        }
        func anyEqual() -> String {
            let tests = condition.values.compactMap { test($0, "=") }
            return tests.isEmpty ? "FALSE" : "(" + tests.joined(separator: " OR ") + ")"
        }
        let sql: String
        switch condition.op {
        case .eq:
            sql = condition.values.first.flatMap { test($0, "=") } ?? "FALSE"
        case .in, .any:
            sql = anyEqual()
        case .not_in:
            sql = "NOT coalesce(\(anyEqual()), FALSE)"
        case .all:
            let tests = condition.values.map { test($0, "=") }
            sql = tests.contains(nil) ? "FALSE" : "(" + tests.compactMap { $0 }.joined(separator: " AND ") + ")"
        case .gt, .gte, .lt, .lte:
            let op = switch condition.op {
            case .gt: ">"
            case .gte: ">="
            case .lt: "<"
            default: "<="
            }
            if case .number? = condition.values.first {
                sql = test(condition.values[0], op) ?? "FALSE"
            } else {
                sql = "FALSE"
            }
        case .prefix:
            if case .text(let prefix)? = condition.values.first, let expression = field.text {
                parameters += [.text(prefix), .text(prefix)]
                sql = "substr(\(expression), 1, length(?)) = ?"
            } else {
                sql = "FALSE"
            }
        }
        return ("coalesce(\(sql), FALSE)", parameters)
    }
}
