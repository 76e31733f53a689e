/// JSON to write, with object keys in the order given (SPEC's output shapes have a fixed
/// key order, which `JSONSerialization` does not keep).
public indirect enum JSONOutput: Sendable, Equatable, ExpressibleByStringLiteral, ExpressibleByNilLiteral {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSONOutput])
    case object([(String, JSONOutput)])

    public init(stringLiteral value: String) { self = .string(value) }
    public init(nilLiteral: ()) { self = .null }

    /// A parsed value written back: numbers keep their digits when they are whole (JSON5's
    /// hexadecimal included), else go through `Double`.
    public init(_ value: JSONValue) {
        switch value.kind {
        case .null: self = .null
        case .bool(let flag): self = .bool(flag)
        case .number(let digits):
            self = value.integerValue.map { .integer(Int64($0)) } ?? .number(Double(digits) ?? 0)
        case .string(let text): self = .string(text)
        case .array(let items): self = .array(items.map(JSONOutput.init))
        case .object(let members): self = .object(members.map { ($0.key, JSONOutput($0.value)) })
        }
    }

    /// `value` as a string, or null when absent.
    public static func optional(_ value: String?) -> JSONOutput { value.map(JSONOutput.string) ?? .null }

    public static func == (lhs: JSONOutput, rhs: JSONOutput) -> Bool { lhs.rendered() == rhs.rendered() }

    /// Compact on one line, or indented by two spaces per level.
    public func rendered(pretty: Bool = false) -> String {
        var text = ""
        write(to: &text, pretty: pretty, indent: 0)
        return text
    }

    private func write(to text: inout String, pretty: Bool, indent: Int) {
        switch self {
        case .null: text += "null"
        case .bool(let flag): text += flag ? "true" : "false"
        case .integer(let integer): text += String(integer)
        case .number(let number): text += number.isFinite ? String(number) : "null"
        case .string(let string): JSONOutput.writeString(string, to: &text)
        case .array(let elements):
            text += "["
            for (offset, element) in elements.enumerated() {
                Self.separate(offset, to: &text, pretty: pretty, indent: indent)
                element.write(to: &text, pretty: pretty, indent: indent + 2)
            }
            Self.close("]", empty: elements.isEmpty, to: &text, pretty: pretty, indent: indent)
        case .object(let members):
            text += "{"
            for (offset, (key, value)) in members.enumerated() {
                Self.separate(offset, to: &text, pretty: pretty, indent: indent)
                JSONOutput.writeString(key, to: &text)
                text += ": "
                value.write(to: &text, pretty: pretty, indent: indent + 2)
            }
            Self.close("}", empty: members.isEmpty, to: &text, pretty: pretty, indent: indent)
        }
    }

    /// Before a container's `offset`-th item: the comma, and in pretty mode the line break and indent.
    private static func separate(_ offset: Int, to text: inout String, pretty: Bool, indent: Int) {
        if offset > 0 { text += pretty ? "," : ", " }
        if pretty { text += "\n" + String(repeating: " ", count: indent + 2) }
    }

    private static func close(_ bracket: String, empty: Bool, to text: inout String, pretty: Bool, indent: Int) {
        if pretty && !empty { text += "\n" + String(repeating: " ", count: indent) }
        text += bracket
    }

    private static func writeString(_ string: String, to text: inout String) {
        text += "\""
        // Most strings need no escape: appended whole (per-scalar appends cost a provider call
        // several microseconds).
        guard string.utf8.contains(where: { $0 == 0x22 || $0 == 0x5C || $0 < 0x20 }) else {
            text += string
            text += "\""
            return
        }
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case _ where scalar.value < 0x20:
                text += "\\u" + String(scalar.value, radix: 16).leftPadded(to: 4)
            default: text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }
}
