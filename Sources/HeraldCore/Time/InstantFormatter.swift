import Foundation

/// Writes instants as ISO 8601 with the offset of a given zone (`2026-05-20T09:30:00+08:00`),
/// the form SPEC uses for all output. Whole seconds; the fraction is dropped.
public enum InstantFormatter {
    public static func string(from instant: Date, in zone: TimeZone) -> String {
        let (local, offset) = LocalTime.localSeconds(of: instant, in: zone)
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let secondsOfDay = local - days * 86_400
        let date = CivilDate(daysSinceEpoch: days)
        let sign = offset < 0 ? "-" : "+"
        let offsetMinutes = abs(offset) / 60
        return "\(date)T\(CivilDate.pad(secondsOfDay / 3600, 2)):\(CivilDate.pad(secondsOfDay / 60 % 60, 2))"
            + ":\(CivilDate.pad(secondsOfDay % 60, 2))\(sign)\(CivilDate.pad(offsetMinutes / 60, 2))"
            + ":\(CivilDate.pad(offsetMinutes % 60, 2))"
    }
}

extension InstantFormatter {
    static let utc = TimeZone(identifier: "UTC")!

    /// `2026-02-28T01:30:00Z`: the stable form used inside keys (occurrence keys).
    public static func utcString(from instant: Date) -> String {
        String(string(from: instant, in: utc).dropLast(6)) + "Z"
    }
}
