/// SPEC 8: an inbound SMS that opts its sender out. `T`, `TD`, `N`, `R`, `0000` or `退订`
/// (the words Chinese carriers and 回T退订 footers use), with full-width letters and digits
/// folded and case ignored.
///
/// Tolerated around it (what people type): whitespace and punctuation on either side, `回` or
/// `回复` in front (as the footer 回T退订 reads), and after the keyword any text that starts
/// with a space or a punctuation mark (`T 谢谢`, `TD。`). `退订` counts anywhere in the text
/// (`我要退订` — and also `怎么退订？` or `不退订`: a reply that mentions unsubscribing is taken
/// as a wish to, erring towards sending less). Not an opt-out: a keyword glued to more
/// letters (`Test`, `No problem`), or a reply without one (`好的`).
public enum OptOutReply {
    public static let keywords = ["T", "TD", "N", "R", "0000", "退订"]

    public static func isOptOut(_ text: String) -> Bool { keyword(in: text) != nil }

    /// The keyword that makes `text` an opt-out, as listed in `keywords` (what is recorded:
    /// never the reply itself, which may hold anything the sender typed); nil for other replies.
    public static func keyword(in text: String) -> String? {
        let folded = fold(text)
        if folded.contains("退订") { return "退订" }
        var trimmed = folded.drop { isSeparator($0) }
        for prefix in ["回复", "回"] where trimmed.hasPrefix(prefix) {
            trimmed = trimmed.dropFirst(prefix.count).drop { isSeparator($0) }
            break
        }
        for keyword in keywords where trimmed.hasPrefix(keyword) {
            let rest = trimmed.dropFirst(keyword.count)
            if rest.first.map(isSeparator) ?? true { return keyword }
        }
        return nil
    }

    /// Full-width ASCII (U+FF01–U+FF5E) to its half-width form, upper-cased; the ideographic
    /// space to a space.
    static func fold(_ text: String) -> String {
        var folded = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if (0xFF01...0xFF5E).contains(scalar.value), let ascii = Unicode.Scalar(scalar.value - 0xFEE0) {
                folded.append(ascii)
            } else if scalar.value == 0x3000 {
                folded.append(" ")
            } else {
                folded.append(scalar)
            }
        }
        return String(folded).uppercased()
    }

    private static func isSeparator(_ character: Character) -> Bool {
        character.isWhitespace || character.isPunctuation || character.isSymbol
    }
}
