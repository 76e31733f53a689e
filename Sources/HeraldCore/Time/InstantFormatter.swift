import Foundation

/// Writes instants as ISO 8601 with the offset of a given zone (`2026-05-20T09:30:00+08:00`),
/// the form SPEC uses for all output. Whole seconds; the fraction is dropped.
public enum InstantFormatter {
    public static func string(from instant: Date, in zone: TimeZone) -> String {
        let (local, offset) = LocalTime.localSeconds(of: instant, in: zone)
        let offsetMinutes = abs(offset) / 60
        let sign = offset < 0 ? "-" : "+"
        return format(localSeconds: local,
                      suffix: "\(sign)\(CivilDate.pad(offsetMinutes / 60, 2)):\(CivilDate.pad(offsetMinutes % 60, 2))")
    }

    /// `YYYY-MM-DDTHH:MM:SS` and `suffix`. Written digit by digit for years 0–9999 (it runs
    /// for every candidate and every send); other years through `CivilDate`'s own form.
    static func format(localSeconds local: Int, suffix: String) -> String {
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let secondsOfDay = local - days * 86_400
        let date = CivilDate(daysSinceEpoch: days)
        let fields = [(date.year, 4, UInt8(ascii: "-")), (date.month, 2, UInt8(ascii: "-")),
                      (date.day, 2, UInt8(ascii: "T")), (secondsOfDay / 3600, 2, UInt8(ascii: ":")),
                      (secondsOfDay / 60 % 60, 2, UInt8(ascii: ":")), (secondsOfDay % 60, 2, 0)]
        guard (0...9999).contains(date.year) else {
            return "\(date)T\(CivilDate.pad(secondsOfDay / 3600, 2)):\(CivilDate.pad(secondsOfDay / 60 % 60, 2))"
                + ":\(CivilDate.pad(secondsOfDay % 60, 2))" + suffix
        }
        let text = String(unsafeUninitializedCapacity: 19) { buffer in
            var index = 0
            for (value, width, separator) in fields {
                var remaining = value
                for position in stride(from: index + width - 1, through: index, by: -1) {
                    buffer[position] = UInt8(ascii: "0") + UInt8(remaining % 10)
                    remaining /= 10
                }
                index += width
                if separator != 0 {
                    buffer[index] = separator
                    index += 1
                }
            }
            return index
        }
        return text + suffix
    }
}

extension InstantFormatter {
    static let utc = TimeZone(identifier: "UTC")!

    /// `2026-02-28T01:30:00Z`: the stable form used inside keys (occurrence keys).
    public static func utcString(from instant: Date) -> String {
        format(localSeconds: Int(min(max(instant.timeIntervalSince1970.rounded(.down), -1e15), 1e15)), suffix: "Z")
    }
}
