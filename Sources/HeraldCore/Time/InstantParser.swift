import Foundation

/// Reads the instants SPEC allows: ISO 8601 with an offset (`2026-05-20T09:30:00+08:00`),
/// with `Z`, or a local `YYYY-MM-DD HH:MM:SS` / `YYYY-MM-DD` read in a default time zone.
///
/// Hand-written because it runs once per imported row: Foundation's formatters cost
/// microseconds each. Covers: `T` or space between date and time, optional seconds,
/// an optional fraction (kept to the microsecond), offsets `±HH:MM`, `±HHMM`, `±HH`.
/// Not covered: week dates, ordinal dates, bare epoch numbers. A local time that falls
/// into a daylight-saving gap resolves to the instant one offset-difference later.
public struct InstantParser: Sendable {
    public static let expectedFormat =
        "an ISO 8601 instant (2026-05-20T09:30:00+08:00, …Z) or a local YYYY-MM-DD HH:MM:SS / YYYY-MM-DD, "
        + "in the years 1900 to 2200"

    /// The years Herald stores instants in: wide enough for any member's history and any
    /// campaign, narrow enough that no arithmetic on a stored instant can overflow.
    public static let supportedYears = 1900...2200

    public let defaultTimeZone: TimeZone

    public init(defaultTimeZone: TimeZone) {
        self.defaultTimeZone = defaultTimeZone
    }

    public func parse(_ text: String) -> Date? {
        var text = text
        return text.withUTF8 { parse(bytes: $0) }
    }

    public func parse(bytes: UnsafeBufferPointer<UInt8>) -> Date? {
        var cursor = ByteCursor(bytes)
        guard let year = cursor.digits(4), cursor.take(UInt8(ascii: "-")),
              let month = cursor.digits(2), cursor.take(UInt8(ascii: "-")),
              let day = cursor.digits(2),
              Self.supportedYears.contains(year),
              let date = CivilDate(year: year, month: month, day: day)
        else { return nil }

        var secondsOfDay = 0
        var fraction = 0.0
        if !cursor.isAtEnd {
            guard cursor.take(UInt8(ascii: "T")) || cursor.take(UInt8(ascii: " ")) || cursor.take(UInt8(ascii: "t")),
                  let hour = cursor.digits(2), hour < 24, cursor.take(UInt8(ascii: ":")),
                  let minute = cursor.digits(2), minute < 60
            else { return nil }
            var second = 0
            if cursor.take(UInt8(ascii: ":")) {
                guard let parsed = cursor.digits(2), parsed < 60 else { return nil }
                second = parsed
                if cursor.take(UInt8(ascii: ".")) || cursor.take(UInt8(ascii: ",")) {
                    guard let parsedFraction = cursor.fraction() else { return nil }
                    fraction = parsedFraction
                }
            }
            secondsOfDay = hour * 3600 + minute * 60 + second
        }

        let localSeconds = date.daysSinceEpoch * 86_400 + secondsOfDay
        if cursor.isAtEnd {
            let utc = LocalTime.utcSeconds(fromLocal: localSeconds, in: defaultTimeZone)
            return Date(timeIntervalSince1970: TimeInterval(utc) + fraction)
        }
        guard let offset = cursor.offsetSeconds(), cursor.isAtEnd else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(localSeconds - offset) + fraction)
    }
}

/// A forward-only reader over ASCII bytes, for the hand-written parsers.
struct ByteCursor {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    var isAtEnd: Bool { index >= bytes.count }

    mutating func take(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    /// Exactly `count` ASCII digits.
    mutating func digits(_ count: Int) -> Int? {
        guard index + count <= bytes.count else { return nil }
        var value = 0
        for offset in 0..<count {
            let byte = bytes[index + offset]
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        index += count
        return value
    }

    /// One or more digits after a decimal point, as a fraction of a second (microsecond precision).
    mutating func fraction() -> Double? {
        var numerator = 0
        var denominator = 1
        let start = index
        while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
            if denominator < 1_000_000 {
                numerator = numerator * 10 + Int(bytes[index] - 0x30)
                denominator *= 10
            }
            index += 1
        }
        return index > start ? Double(numerator) / Double(denominator) : nil
    }

    /// `Z`, `±HH:MM`, `±HHMM` or `±HH`, in seconds east of UTC.
    mutating func offsetSeconds() -> Int? {
        if take(UInt8(ascii: "Z")) || take(UInt8(ascii: "z")) { return 0 }
        let sign: Int
        if take(UInt8(ascii: "+")) {
            sign = 1
        } else if take(UInt8(ascii: "-")) {
            sign = -1
        } else {
            return nil
        }
        guard let hours = digits(2), hours <= 14 else { return nil }
        var minutes = 0
        if !isAtEnd {
            _ = take(UInt8(ascii: ":"))
            guard let parsed = digits(2), parsed < 60 else { return nil }
            minutes = parsed
        }
        return sign * (hours * 3600 + minutes * 60)
    }
}
