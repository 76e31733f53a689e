/// A raw member value before validation: CSV gives text; NDJSON may also give a list (tags).
public enum MemberInput: Sendable, Equatable {
    case text(String)
    case list([String])

    /// Converts an NDJSON value: strings and numbers as written, booleans as yes/no, null as empty.
    public init(json value: JSONValue) throws(RowProblem) {
        switch value.kind {
        case .string(let text): self = .text(text)
        case .number(let text): self = .text(text)
        case .bool(let flag): self = .text(flag ? "yes" : "no")
        case .null: self = .text("")
        case .array(let elements):
            var items: [String] = []
            for element in elements {
                guard let text = element.stringValue else {
                    throw RowProblem("expected a list of strings, found \(element.kindName) in it")
                }
                items.append(text)
            }
            self = .list(items)
        case .object: throw RowProblem("expected a string, number, boolean or list, found an object")
        }
    }
}
