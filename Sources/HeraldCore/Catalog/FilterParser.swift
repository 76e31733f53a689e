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
    /// The config's named segments, for `{ segment: "name" }`; nil where segments do not
    /// apply (an event's `where`).
    var segments: SegmentTable?

    init(fields: [String: FieldType]?, file: String, log: DiagnosticLog, segments: SegmentTable? = nil) {
        self.fields = fields
        self.file = file
        self.log = log
        self.segments = segments
    }

    /// A member filter: SPEC 2.1's profile fields and the behavioural ones, with segments.
    static func audience(file: String, log: DiagnosticLog, segments: SegmentTable?) -> FilterParser {
        FilterParser(fields: audienceFields, file: file, log: log, segments: segments)
    }

    /// SPEC 2.1's audience fields, and SPEC 10's behavioural ones (`BehaviourMeasure`).
    static let audienceFields: [String: FieldType] = [
        "tier": .text, "tags": .tags, "region": .text, "registration_channel": .text, "locale": .text,
        "age": .number, "stored_value": .number, "points_balance": .number, "total_spent": .number,
        "registered_days": .number,
    ].merging(BehaviourMeasure.fieldNames.map { ($0, FieldType.number) }) { first, _ in first }

    /// The keys a behavioural leaf may add to `field` and its operator.
    private static let measureKeys = ["days", "type", "where"]

    func parse(_ value: JSONValue, path: String) -> FilterExpression? {
        let keys = value.members?.map(\.key) ?? []
        if keys == ["segment"] { return segment(value, path: path) }
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
        let allowedKeys = ["field"] + operators + (fields == nil ? [] : Self.measureKeys)
        guard let leaf = JSONObjectReader(value, file: file, path: path, allowedKeys: allowedKeys, log: log) else {
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
                leaf.expected("field", oneOf: fields.keys.sorted(), found: leaf["field"]!)
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
        var measure: BehaviourMeasure?
        if fields != nil {
            switch self.measure(of: field, in: leaf, path: path) {
            case .profileField: break
            case .measure(let read): measure = read
            case .problem: return nil
            }
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
        return .condition(FilterCondition(field: field, op: op, values: scalars, measure: measure))
    }

    /// `{ segment: "name" }`: the config's segment, written in place.
    private func segment(_ value: JSONValue, path: String) -> FilterExpression? {
        guard let name = value["segment"], case .string(let text) = name.kind else {
            log.add(file: file, at: value["segment"]?.position ?? value.position,
                    "\(path).segment: expected a segment name (a string), found \(value["segment"].map(JSONObjectReader.describe) ?? "nothing")")
            return nil
        }
        guard let segments else {
            log.add(file: file, at: name.position, "\(path): a segment is a set of members; it applies to audience filters, not here")
            return nil
        }
        return segments.expression(named: text, at: name.position, usedIn: file, log: log)
    }

    private enum MeasureReading {
        case profileField
        case measure(BehaviourMeasure)
        case problem
    }

    /// A behavioural field's measure, with its `days`, `type` and `where` checked.
    private func measure(of field: String, in leaf: JSONObjectReader, path: String) -> MeasureReading {
        let windowed = BehaviourMeasure.windowedFields.contains(field)
        for key in Self.measureKeys where leaf[key] != nil {
            let applies = windowed && (key == "days" || field == "events_in")
            if !applies {
                leaf.problem(at: leaf.keyPosition(key), "\(path).\(key): only \(key == "days" ? "purchases_in, spent_in and events_in" : "events_in") take '\(key)'")
                return .problem
            }
        }
        if let plain = BehaviourMeasure.plainFields[field] { return .measure(plain) }
        guard windowed else { return .profileField }
        guard let days = leaf.integer("days", required: true, in: SettingRange.behaviourDays) else { return .problem }
        switch field {
        case "purchases_in": return .measure(.purchases(days: days))
        case "spent_in": return .measure(.spent(days: days))
        default:
            guard let type = leaf.string("type", required: true) else { return .problem }
            var filter: FilterExpression?
            if let condition = leaf["where"] {
                guard let parsed = FilterParser(fields: nil, file: file, log: log).parse(condition, path: "\(path).where")
                else { return .problem }
                filter = parsed
            }
            return .measure(.events(type: type, filter: filter, days: days))
        }
    }
}

extension JSONValue {
    var array: [JSONValue]? {
        if case .array(let items) = kind { return items }
        return nil
    }
}
