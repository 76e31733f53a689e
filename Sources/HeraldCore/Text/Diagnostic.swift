/// A user-facing problem that says where (file, line, column) and what was expected.
///
/// Everything Herald reports about bad input — config keys, CSV rows, NDJSON lines —
/// ends up as one of these, so every message has the same `file:line:column: message` shape.
public struct Diagnostic: Error, Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var position: SourcePosition?
    /// Only the line is known (a CSV row, an NDJSON line without a column).
    public var line: Int?
    public var message: String

    public init(file: String, position: SourcePosition? = nil, line: Int? = nil, message: String) {
        self.file = file
        self.position = position
        self.line = position?.line ?? line
        self.message = message
    }

    public var description: String {
        if let position { return "\(file):\(position): \(message)" }
        if let line { return "\(file):\(line): \(message)" }
        return "\(file): \(message)"
    }
}
