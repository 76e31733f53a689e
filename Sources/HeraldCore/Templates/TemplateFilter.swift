/// The filters of SPEC 1.3: `default: "会员"`, `mask`, `date: "M月d日"`, `money`.
public enum TemplateFilter: Sendable, Equatable {
    case `default`(String)
    case mask
    case date(String)
    case money

    public static let names = ["default", "mask", "date", "money"]

    /// Applies the filter to a value (nil: the member lacks it).
    func apply(to value: TemplateValue?) -> TemplateValue? {
        switch self {
        case .default(let fallback):
            guard let value, value.plainText.isEmpty == false else { return .text(fallback) }
            return value
        case .mask:
            return value.map { .text(Self.masked($0.plainText)) }
        case .date(let pattern):
            guard case .date(let date)? = value else { return value }
            return .text(Self.format(date, pattern))
        case .money:
            guard case .money(let money)? = value else { return value }
            return .text(money.description)
        }
    }

    /// `张伟` → `张*`, `13812345678` → `138****5678`: a phone number keeps its first three
    /// and last four digits (with `+`, as `PhoneNumber.mask`), anything else its first character.
    static func masked(_ text: String) -> String {
        let characters = Array(text)
        if characters.count >= 7, characters.dropFirst(text.hasPrefix("+") ? 1 : 0).allSatisfy(\.isWholeNumber) {
            if text.hasPrefix("+") { return PhoneNumber.mask(text) }
            return String(characters.prefix(3)) + String(repeating: "*", count: characters.count - 7) + String(characters.suffix(4))
        }
        guard let first = characters.first else { return text }
        return String(first) + String(repeating: "*", count: characters.count - 1)
    }

    /// `yyyy`, `MM`, `M`, `dd`, `d` are replaced; every other character is kept.
    static func format(_ date: CivilDate, _ pattern: String) -> String {
        var output = ""
        var rest = Substring(pattern)
        while let next = rest.first {
            if rest.hasPrefix("yyyy") {
                output += String(date.year); rest = rest.dropFirst(4)
            } else if rest.hasPrefix("MM") {
                output += String(date.month).leftPadded(to: 2); rest = rest.dropFirst(2)
            } else if rest.hasPrefix("dd") {
                output += String(date.day).leftPadded(to: 2); rest = rest.dropFirst(2)
            } else if next == "M" {
                output += String(date.month); rest = rest.dropFirst()
            } else if next == "d" {
                output += String(date.day); rest = rest.dropFirst()
            } else {
                output.append(next); rest = rest.dropFirst()
            }
        }
        return output
    }
}
