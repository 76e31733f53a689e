/// A span of wall-clock time within a day, `HH:MM-HH:MM`, end exclusive. When the end is
/// not after the start (`21:00-08:00`) the range crosses midnight into the next day.
public struct LocalTimeRange: Hashable, Sendable, CustomStringConvertible {
    public static let expectedFormat = "a time range such as 10:00-12:00, 9:00-11:30 or 21:00-08:00"

    /// `expectedFormat`, with what is wrong about `text` when it can be told: the full-width
    /// colon or dash a Chinese input method types (`18：00－20：00`).
    public static func expectation(for text: String) -> String {
        let fullWidth = ["：": ":", "－": "-", "—": "-", "～": "-", "~": "-"].filter { text.contains($0.key) }
        guard !fullWidth.isEmpty else { return expectedFormat }
        let named = fullWidth.keys.sorted().map { "'\($0)'" }.joined(separator: " and ")
        return expectedFormat + " (it has \(named), typed by a Chinese input method: write ':' and '-')"
    }

    /// Seconds after local midnight.
    public var start: Int
    public var end: Int

    public init(start: Int, end: Int) {
        self.start = start
        self.end = end
    }

    /// Nil unless `H:MM-H:MM` (one or two digits of hour) with real times (`24:00` allowed as
    /// an end) and start ≠ end.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let start = Self.secondsOfDay(parts[0], allowingMidnightEnd: false),
              let end = Self.secondsOfDay(parts[1], allowingMidnightEnd: true), start != end % 86_400 || end == 86_400
        else { return nil }
        self.start = start
        self.end = end
    }

    public var crossesMidnight: Bool { end <= start }

    /// Length in seconds, across midnight when it crosses.
    public var length: Int { crossesMidnight ? end + 86_400 - start : end - start }

    private static func secondsOfDay(_ text: Substring, allowingMidnightEnd: Bool) -> Int? {
        let pieces = text.split(separator: ":", omittingEmptySubsequences: false)
        guard pieces.count == 2, (1...2).contains(pieces[0].count), pieces[0].allSatisfy(\.isASCII), pieces[1].count == 2,
              let hour = Int(pieces[0]), let minute = Int(pieces[1]), (0..<60).contains(minute)
        else { return nil }
        if hour == 24 && minute == 0 && allowingMidnightEnd { return 86_400 }
        guard (0..<24).contains(hour) else { return nil }
        return hour * 3600 + minute * 60
    }

    public var description: String {
        func text(_ seconds: Int) -> String { "\(CivilDate.pad(seconds / 3600, 2)):\(CivilDate.pad(seconds / 60 % 60, 2))" }
        return "\(text(start))-\(text(end))"
    }
}
