/// A length of time as SPEC writes it: a whole number and one unit — `90s`, `15m`, `2h`, `30d`,
/// `1w` (seven days).
/// (Named apart from the standard library's `Duration`, which is a clock's measure.)
public struct TimeSpan: Hashable, Comparable, Sendable, CustomStringConvertible {
    public static let expectedFormat = "a duration such as 90s, 15m, 2h, 30d or 1w"

    public var seconds: Int64

    public init(seconds: Int64) {
        self.seconds = seconds
    }

    /// Nil for anything but digits followed by `s`, `m`, `h`, `d` or `w` (no spaces, no fractions, no sign).
    public init?(_ text: String) {
        guard let unit = text.last, let count = Int64(text.dropLast()), count >= 0,
              text.dropLast().allSatisfy(\.isASCII), text.first?.isNumber == true
        else { return nil }
        let unitSeconds: Int64
        switch unit {
        case "s": unitSeconds = 1
        case "m": unitSeconds = 60
        case "h": unitSeconds = 3600
        case "d": unitSeconds = 86_400
        case "w": unitSeconds = 7 * 86_400
        default: return nil
        }
        let (product, overflow) = count.multipliedReportingOverflow(by: unitSeconds)
        guard !overflow else { return nil }
        seconds = product
    }

    public static func < (lhs: TimeSpan, rhs: TimeSpan) -> Bool { lhs.seconds < rhs.seconds }

    /// The largest whole unit: `30d`, `2h`, `90m`, `45s`.
    public var description: String {
        for (unit, size) in [("d", Int64(86_400)), ("h", 3600), ("m", 60)] where seconds != 0 && seconds % size == 0 {
            return "\(seconds / size)\(unit)"
        }
        return "\(seconds)s"
    }
}
