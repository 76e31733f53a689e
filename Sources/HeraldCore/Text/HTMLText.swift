/// Text safe inside HTML and SVG element content and quoted attributes.
public enum HTMLText {
    /// `&`, `<`, `>`, `"` and `'` — the five characters markup gives meaning to — as entities.
    public static func escaped(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
