/// A member's birthday: month and day, with the year when known (`YYYY-MM-DD` or `--MM-DD`).
public struct Birthday: Hashable, Sendable, CustomStringConvertible {
    public static let expectedFormat = "YYYY-MM-DD or --MM-DD"

    public var year: Int?
    public var month: Int
    public var day: Int

    public init?(year: Int?, month: Int, day: Int) {
        // 29 February is a valid birthday without a year; with one, the year must be a leap year.
        guard CivilDate(year: year ?? 2000, month: month, day: day) != nil,
              year.map(InstantParser.supportedYears.contains) ?? true else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    public init?(_ text: String) {
        var text = text
        let parsed: Birthday? = text.withUTF8 { bytes in
            var cursor = ByteCursor(bytes)
            var year: Int?
            if cursor.take(UInt8(ascii: "-")) {
                guard cursor.take(UInt8(ascii: "-")) else { return nil }
            } else {
                guard let digits = cursor.digits(4), cursor.take(UInt8(ascii: "-")) else { return nil }
                year = digits
            }
            guard let month = cursor.digits(2), cursor.take(UInt8(ascii: "-")), let day = cursor.digits(2),
                  cursor.isAtEnd
            else { return nil }
            return Birthday(year: year, month: month, day: day)
        }
        guard let parsed else { return nil }
        self = parsed
    }

    public var description: String {
        let monthDay = "\(CivilDate.pad(month, 2))-\(CivilDate.pad(day, 2))"
        return year.map { "\(CivilDate.pad($0, 4))-\(monthDay)" } ?? "--\(monthDay)"
    }
}
