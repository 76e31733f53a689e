import Foundation

/// A wall-clock date and time without a zone: `2026-12-12 10:00`.
public struct LocalDateTime: Sendable, Equatable, CustomStringConvertible {
    public var date: CivilDate
    public var hour: Int
    public var minute: Int

    /// `YYYY-MM-DD HH:MM` (or `THH:MM`, and `:SS` of zero seconds).
    public init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let pieces = trimmed.split(whereSeparator: { $0 == " " || $0 == "T" }).map(String.init)
        guard pieces.count == 2, let date = CivilDate(parsing: pieces[0]) else { return nil }
        let clock = pieces[1].split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard (2...3).contains(clock.count), clock.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isASCII) }),
              let hour = Int(clock[0]), let minute = Int(clock[1]), (0..<24).contains(hour), (0..<60).contains(minute),
              clock.count == 2 || clock[2] == "00"
        else { return nil }
        self.date = date
        self.hour = hour
        self.minute = minute
    }

    /// When this wall-clock time happens in `zone` (a time skipped by a DST change resolves
    /// as `LocalTime.utcSeconds` does).
    public func instant(in zone: TimeZone) -> Date {
        let local = date.daysSinceEpoch * 86_400 + hour * 3_600 + minute * 60
        return Date(timeIntervalSince1970: TimeInterval(LocalTime.utcSeconds(fromLocal: local, in: zone)))
    }

    public var description: String { "\(date) \(CivilDate.pad(hour, 2)):\(CivilDate.pad(minute, 2))" }
}
