/// Why one input row (a CSV record or an NDJSON line) was not stored.
/// The importers report it with the file name as `file:line: reason`.
public struct RowRejection: Error, Hashable, Sendable {
    public var line: Int
    /// Set when the problem has a precise place on the line (a JSON syntax error).
    public var column: Int?
    public var reason: String

    public init(line: Int, column: Int? = nil, reason: String) {
        self.line = line
        self.column = column
        self.reason = reason
    }

    /// A line cut at the reader's limit.
    public static func lineTooLong(line: Int, limit: Int) -> RowRejection {
        RowRejection(line: line, reason: "line longer than \(limit) bytes")
    }

    /// A line that is not JSON; `columnOffset` counts characters dropped before parsing.
    public static func invalidJSON(_ error: JSONSyntaxError, line: Int, columnOffset: Int = 0) -> RowRejection {
        RowRejection(line: line, column: error.position.column + columnOffset, reason: "invalid JSON: \(error.message)")
    }

    public func diagnostic(file: String) -> Diagnostic {
        Diagnostic(file: file, position: column.map { SourcePosition(line: line, column: $0) }, line: line,
                   message: "rejected: \(reason)")
    }
}

/// A row-level problem found while decoding a row, before its line number is attached.
public struct RowProblem: Error, Hashable, Sendable {
    public var reason: String

    public init(_ reason: String) {
        self.reason = reason
    }

    /// "phone: found "1381234", expected …" — the shape of every field-level reason.
    /// `found` is shown as the row had it, but with addresses masked (not in a `number`
    /// field: an amount is not a phone), control characters dropped and at most 80
    /// characters: reject messages go to terminals and logs.
    public static func field(_ name: String, found: String, isNumber: Bool = false, expected: String) -> RowProblem {
        let visible = SensitiveText.withoutControlCharacters(found, keepingNewlines: false)
        let isPlainNumber = isNumber && visible.allSatisfy { $0.isNumber || "+-.,¥￥".contains($0) }
        var shown = isPlainNumber ? visible : SensitiveText.masked(visible)
        if shown.count > 80 { shown = String(shown.prefix(79)) + "…" }
        return RowProblem("\(name): found \"\(shown)\", expected \(expected)")
    }
}
