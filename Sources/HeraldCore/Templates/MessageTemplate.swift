import Foundation

/// One template file (SPEC 1.3), parsed: an optional title (push `title:`, email `subject:`)
/// and a body, each a list of literal text, placeholders and tracked links.
///
/// The syntax is small on purpose: `{{ path }}`, `{{ path | filter | filter: "arg" }}` and
/// `{{ link "https://…" }}`. No loops, no conditionals, no escaping of `{{`.
public struct MessageTemplate: Sendable {
    public enum Part: Sendable, Equatable {
        case text(String)
        case placeholder(Placeholder)
        case link(String, position: SourcePosition)
    }

    public struct Placeholder: Sendable, Equatable {
        public var path: String
        public var filters: [TemplateFilter]
        public var position: SourcePosition
    }

    public var path: String
    public var title: [Part]?
    public var body: [Part]
    /// E-mail: the HTML rendering (`email.<locale>.html` beside the text file); its links are
    /// numbered after the text's.
    public var html: [Part]?
    /// The HTML's own file, for problems found in it.
    public var htmlPath: String?

    /// Every part: title, body, then HTML.
    var allParts: [Part] { (title ?? []) + body + (html ?? []) }

    /// Every placeholder in title, body and HTML, in order.
    public var placeholders: [Placeholder] {
        allParts.compactMap { if case .placeholder(let placeholder) = $0 { placeholder } else { nil } }
    }

    /// Every placeholder with the file it is written in.
    public var placeholdersByFile: [(file: String, placeholder: Placeholder)] {
        func placeholders(_ parts: [Part]) -> [Placeholder] {
            parts.compactMap { if case .placeholder(let placeholder) = $0 { placeholder } else { nil } }
        }
        return placeholders((title ?? []) + body).map { (path, $0) }
            + placeholders(html ?? []).map { (htmlPath ?? path, $0) }
    }

    public var linkCount: Int {
        allParts.count { if case .link = $0 { true } else { false } }
    }

    /// Parses `text`; `titleKey` is `title` for push, `subject` for email, nil for SMS.
    /// Problems go to `log` with the file's line and column; nil when there were any.
    public static func parse(_ text: String, path: String, titleKey: String?, log: DiagnosticLog) -> MessageTemplate? {
        let before = log.count
        var bodyText = Substring(text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text)
        var bodyLine = 1
        var title: [Part]?
        if let titleKey {
            let firstLine = bodyText.prefix { $0 != "\n" }
            guard firstLine.hasPrefix("\(titleKey):") else {
                log.add(file: path, at: SourcePosition(line: 1, column: 1),
                        "expected a first line '\(titleKey): …', then a blank line, then the body")
                return nil
            }
            let titleText = firstLine.dropFirst(titleKey.count + 1)
            let leading = titleText.prefix { $0 == " " }.count
            title = parseParts(titleText.dropFirst(leading).trimmingTrailingWhitespace(), path: path,
                               start: SourcePosition(line: 1, column: titleKey.count + 2 + leading), log: log)
            bodyText = bodyText.dropFirst(firstLine.count)
            if bodyText.hasPrefix("\n") { bodyText = bodyText.dropFirst(); bodyLine += 1 }
            if bodyText.hasPrefix("\n") || bodyText.hasPrefix("\r\n") {
                bodyText = bodyText.drop { $0 == "\r" }.dropFirst()
                bodyLine += 1
            } else {
                log.add(file: path, at: SourcePosition(line: 2, column: 1), "expected a blank line after the \(titleKey) line")
            }
        }
        let body = parseParts(bodyText.trimmingTrailingWhitespace(), path: path,
                              start: SourcePosition(line: bodyLine, column: 1), log: log)
        if body.isEmpty { log.add(file: path, at: SourcePosition(line: bodyLine, column: 1), "the message body is empty") }
        guard log.count == before else { return nil }
        return MessageTemplate(path: path, title: title, body: body)
    }

    /// One string of a JSON5 file parsed as a template body (a provider mapping's param):
    /// `start` is where its text begins, so problems point into the file. Empty is allowed.
    public static func parseInline(_ text: String, path: String, start: SourcePosition,
                                   log: DiagnosticLog) -> MessageTemplate? {
        let before = log.count
        let body = parseParts(Substring(text), path: path, start: start, log: log)
        guard log.count == before else { return nil }
        return MessageTemplate(path: path, title: nil, body: body)
    }

    private static func parseParts(_ text: Substring, path: String, start: SourcePosition, log: DiagnosticLog) -> [Part] {
        var parts: [Part] = []
        var literal = ""
        var line = start.line
        var column = start.column
        var scalars = text.unicodeScalars[...]
        func advance(over consumed: some Sequence<Unicode.Scalar>) {
            for scalar in consumed {
                if scalar == "\n" { line += 1; column = 1 } else { column += 1 }
            }
        }
        while !scalars.isEmpty {
            if scalars.starts(with: "{{".unicodeScalars) {
                let position = SourcePosition(line: line, column: column)
                let inner = scalars.dropFirst(2)
                guard let close = inner.firstRange(of: "}}".unicodeScalars) else {
                    log.add(file: path, at: position, "'{{' is not closed: expected '}}'")
                    return parts
                }
                if !literal.isEmpty { parts.append(.text(literal)); literal = "" }
                let content = String(String.UnicodeScalarView(inner[..<close.lowerBound]))
                if let part = parsePlaceholder(content, path: path, position: position, log: log) { parts.append(part) }
                let consumed = scalars[..<close.upperBound]
                advance(over: consumed)
                scalars = scalars[close.upperBound...]
            } else {
                let scalar = scalars.removeFirst()
                literal.unicodeScalars.append(scalar)
                advance(over: CollectionOfOne(scalar))
            }
        }
        if !literal.isEmpty { parts.append(.text(literal)) }
        return parts
    }

    private static func parsePlaceholder(_ content: String, path: String, position: SourcePosition, log: DiagnosticLog) -> Part? {
        let trimmed = content.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("link ") || trimmed == "link" {
            guard let url = quoted(trimmed.dropFirst(4).trimmingCharacters(in: .whitespacesAndNewlines)),
                  url.hasPrefix("https://") || url.hasPrefix("http://")
            else {
                log.add(file: path, at: position, "expected {{ link \"https://…\" }}, found {{\(content)}}")
                return nil
            }
            return .link(url, position: position)
        }
        let pieces = trimmed.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        let valuePath = pieces[0]
        guard !valuePath.isEmpty, valuePath.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ".") })
        else {
            log.add(file: path, at: position, "expected a value such as {{ member.name }}, found {{\(content)}}")
            return nil
        }
        var filters: [TemplateFilter] = []
        for piece in pieces.dropFirst() {
            let nameEnd = piece.firstIndex(of: ":") ?? piece.endIndex
            let name = piece[..<nameEnd].trimmingCharacters(in: .whitespacesAndNewlines)
            let argumentText = nameEnd == piece.endIndex ? nil : piece[piece.index(after: nameEnd)...].trimmingCharacters(in: .whitespacesAndNewlines)
            let argument = argumentText.flatMap(quoted)
            if argumentText != nil && argument == nil {
                log.add(file: path, at: position, "filter '\(name)': expected a quoted argument such as \"会员\", found \(argumentText!)")
                return nil
            }
            switch (name, argument) {
            case ("default", let text?): filters.append(.default(text))
            case ("date", let text?): filters.append(.date(text))
            case ("mask", nil): filters.append(.mask)
            case ("money", nil): filters.append(.money)
            case ("default", nil), ("date", nil):
                log.add(file: path, at: position, "filter '\(name)' needs an argument, e.g. \(name == "date" ? "date: \"M月d日\"" : "default: \"会员\"")")
                return nil
            case ("mask", _), ("money", _):
                log.add(file: path, at: position, "filter '\(name)' takes no argument")
                return nil
            default:
                log.add(file: path, at: position, "unknown filter '\(name)' (expected one of: \(TemplateFilter.names.joined(separator: ", ")))")
                return nil
            }
        }
        return .placeholder(Placeholder(path: valuePath, filters: filters, position: position))
    }

    /// The text inside "…" or '…', nil when not quoted.
    private static func quoted(_ text: String) -> String? {
        guard text.count >= 2, let first = text.first, first == "\"" || first == "'", text.last == first else { return nil }
        return String(text.dropFirst().dropLast())
    }
}

extension StringProtocol {
    func trimmingTrailingWhitespace() -> Substring {
        let text = Substring(self)
        var end = text.endIndex
        while end > text.startIndex, text[text.index(before: end)].isWhitespace { end = text.index(before: end) }
        return text[..<end]
    }
}
