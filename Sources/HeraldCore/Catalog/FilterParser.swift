/// Reads a `FilterExpression` from a trigger file, checking each leaf's field and operator.
struct FilterParser {
    enum FieldType: String {
        case text, number, tags
    }

    /// The fields a filter may name, and their types; nil accepts any field (an event's
    /// `where` can name any attribute of the event's JSON) with the type its value implies.
    let fields: [String: FieldType]?
    let file: String
    let log: DiagnosticLog

    /// SPEC 2.1's audience fields.
    static let audienceFields: [String: FieldType] = [
        "tier": .text, "tags": .tags, "region": .text, "registration_channel": .text, "locale": .text,
        "age": .number, "stored_value": .number, "points_balance": .number, "total_spent": .number,
        "registered_days": .number,
    ]

    func parse(_ value: JSONValue, path: String) -> FilterExpression? {
        let keys = value.members?.map(\.key) ?? []
        if keys.count == 1, let key = keys.first, ["all", "any", "not"].contains(key), let inner = value[key] {
            if key == "not" { return parse(inner, path: "\(path).not").map(FilterExpression.not) }
            guard case .array(let items) = inner.kind, !items.isEmpty else {
                log.add(file: file, at: inner.position, "\(path).\(key): expected a non-empty list of conditions, found \(JSONObjectReader.describe(inner))")
                return nil
            }
            let parts = items.compactMap { parse($0, path: "\(path).\(key)[]") }
            guard parts.count == items.count else { return nil }
            return key == "all" ? .all(parts) : .any(parts)
        }
        let operators = FilterCondition.Operator.allCases.map(\.rawValue)
        guard let leaf = JSONObjectReader(value, file: file, path: path, allowedKeys: ["field"] + operators, log: log) else {
            return nil
        }
        leaf.finish()
        guard let field = leaf.string("field", required: true) else { return nil }
        let given = operators.filter { leaf[$0] != nil }
        guard given.count == 1, let opName = given.first, let op = FilterCondition.Operator(rawValue: opName),
              let operand = leaf[opName]
        else {
            leaf.problem(at: leaf.position, "\(path): expected { all | any | not } or one condition { field, \(operators.joined(separator: " | ")): value }, found \(given.isEmpty ? "no operator" : given.joined(separator: " and "))")
            return nil
        }
        let fieldType: FieldType
        if let fields {
            guard let known = fields[field] else {
                leaf.expected("field", "one of \(fields.keys.sorted().joined(separator: ", "))", found: leaf["field"]!)
                return nil
            }
            fieldType = known
        } else {
            guard !field.isEmpty, field.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
                leaf.expected("field", "an event attribute name (letters, digits, _)", found: leaf["field"]!)
                return nil
            }
            fieldType = operand.numberValue != nil || operand.array?.first?.numberValue != nil ? .number : .text
        }
        var scalars: [FilterScalar] = []
        let items = op.takesList ? operand.array : [operand]
        guard let items, !items.isEmpty else {
            leaf.expected(opName, "a non-empty list", found: operand)
            return nil
        }
        for item in items {
            switch (fieldType, item.kind) {
            case (.number, .number): scalars.append(.number(item.numberValue ?? 0))
            case (.text, .string(let text)), (.tags, .string(let text)): scalars.append(.text(text))
            default:
                leaf.expected(opName, fieldType == .number ? "a number (\(field) is numeric)" : "a string", found: item)
                return nil
            }
        }
        let allowed: Set<FilterCondition.Operator> = switch fieldType {
        case .number: [.eq, .in, .not_in, .gt, .gte, .lt, .lte]
        case .text: [.eq, .in, .not_in, .prefix]
        case .tags: [.eq, .in, .not_in, .any, .all, .prefix]
        }
        guard allowed.contains(op) else {
            leaf.problem(at: leaf.keyPosition(opName), "\(path): '\(opName)' does not apply to \(field) (a \(fieldType.rawValue) field; expected one of \(allowed.map(\.rawValue).sorted().joined(separator: ", ")))")
            return nil
        }
        return .condition(FilterCondition(field: field, op: op, values: scalars))
    }
}

extension JSONValue {
    var array: [JSONValue]? {
        if case .array(let items) = kind { return items }
        return nil
    }
}
