/// Splits text at `{{ … }}`: the one scanner behind channel URLs, headers and bodies
/// (`{{ secret.NAME }}`, `{{ to }}`). The inner text is trimmed of spaces; an opening `{{`
/// without a closing `}}` is plain text. Not covered: escaping braces.
public enum BracedPlaceholders {
    public enum Piece: Equatable, Sendable {
        case text(Substring)
        case placeholder(String)
    }

    public static func pieces(of text: String) -> [Piece] {
        var pieces: [Piece] = []
        var rest = Substring(text)
        while let open = rest.firstRange(of: "{{"), let close = rest[open.upperBound...].firstRange(of: "}}") {
            if open.lowerBound > rest.startIndex { pieces.append(.text(rest[..<open.lowerBound])) }
            var inner = rest[open.upperBound..<close.lowerBound]
            while inner.first == " " { inner.removeFirst() }
            while inner.last == " " { inner.removeLast() }
            pieces.append(.placeholder(String(inner)))
            rest = rest[close.upperBound...]
        }
        if !rest.isEmpty { pieces.append(.text(rest)) }
        return pieces
    }
}
