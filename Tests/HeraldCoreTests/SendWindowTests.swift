import Foundation
import Testing
@testable import HeraldCore

private let shanghai = TimeZone(identifier: "Asia/Shanghai")!
private let losAngeles = TimeZone(identifier: "America/Los_Angeles")!

/// An instant written in Shanghai time (2026-11-20 is a Friday).
private func at(_ text: String, _ zone: TimeZone = shanghai) -> Date {
    InstantParser(defaultTimeZone: zone).parse(text)!
}

private func window(_ hours: [String], days: [SendWindow.Weekday] = [], quiet: String? = nil) -> SendWindow {
    SendWindow(hours: hours.map { LocalTimeRange($0)! }, days: Set(days), quietHours: quiet.flatMap(LocalTimeRange.init))
}

@Suite struct SendWindowTests {
    /// Where a send throttled per number waits (SPEC 7): the next time the window opens anew.
    @Test func nextOpeningIsTheStartOfTheNextOpenStretch() {
        let twice = window(["10:00-12:00", "18:00-20:00"])
        #expect(twice.nextOpening(after: at("2026-11-20 10:30:00"), in: shanghai) == at("2026-11-20 18:00:00"))
        #expect(twice.nextOpening(after: at("2026-11-20 18:00:00"), in: shanghai) == at("2026-11-21 10:00:00"))
        #expect(twice.nextOpening(after: at("2026-11-20 07:00:00"), in: shanghai) == at("2026-11-20 10:00:00"))
        // Weekdays only: Friday evening's next opening is Monday morning.
        let weekdays = window(["10:00-12:00"], days: [.mon, .tue, .wed, .thu, .fri])
        #expect(weekdays.nextOpening(after: at("2026-11-20 11:00:00"), in: shanghai) == at("2026-11-23 10:00:00"))
        // All day outside quiet hours 21:00-08:00: tomorrow at 08:00; on the member's own clock.
        let marketing = window([], quiet: "21:00-08:00")
        #expect(marketing.nextOpening(after: at("2026-11-20 15:00:00"), in: shanghai) == at("2026-11-21 08:00:00"))
        #expect(marketing.nextOpening(after: at("2026-11-20 15:00:00", losAngeles), in: losAngeles)
                == at("2026-11-21 08:00:00", losAngeles))
        // A window that never closes has no next opening.
        #expect(window([]).nextOpening(after: at("2026-11-20 15:00:00"), in: shanghai) == nil)
    }

    @Test func durations() {
        #expect(TimeSpan("90s")?.seconds == 90)
        #expect(TimeSpan("15m")?.seconds == 900)
        #expect(TimeSpan("2h")?.seconds == 7200)
        #expect(TimeSpan("30d")?.seconds == 2_592_000)
        #expect(TimeSpan("0s")?.seconds == 0)
        for bad in ["", "d", "2", "1.5h", "-1d", "+1d", "2 h", "2H", "1W", "９h", "99999999999999999d", "9999999999999999w"] {
            #expect(TimeSpan(bad) == nil, "\(bad)")
        }
        #expect(TimeSpan(seconds: 5400).description == "90m")
        #expect(TimeSpan(seconds: 172_800).description == "2d")
    }

    @Test func timeRanges() {
        #expect(LocalTimeRange("10:00-12:00") == LocalTimeRange(start: 36_000, end: 43_200))
        #expect(LocalTimeRange("21:00-08:00")?.crossesMidnight == true)
        #expect(LocalTimeRange("21:00-08:00")?.length == 11 * 3600)
        #expect(LocalTimeRange("00:00-24:00")?.length == 86_400)
        // One digit of hour is how people write a morning (issue 18).
        #expect(LocalTimeRange("9:00-11:30") == LocalTimeRange(start: 9 * 3600, end: 11 * 3600 + 1800))
        for bad in ["10:00", "10:00-10:00", "25:00-26:00", "9:0-10:00", "100:00-11:00", "10:60-11:00", "10:00-24:01",
                    "24:00-01:00", "１0:00-11:00", "18：00-20：00"] {
            #expect(LocalTimeRange(bad) == nil, "\(bad)")
        }
        // A full-width colon or dash is named in the message, not just refused.
        #expect(LocalTimeRange.expectation(for: "18：00－20：00").contains("it has '－' and '：', typed by a Chinese input method"))
        #expect(LocalTimeRange.expectation(for: "21-8") == LocalTimeRange.expectedFormat)
        #expect(TimeSpan("1w") == TimeSpan(days: 7) && TimeSpan("2w")?.description == "14d")
        #expect(TimeSpan("1W") == nil && TimeSpan("w") == nil)
    }

    @Test func noWindowAndNoQuietHoursIsNow() {
        let now = at("2026-11-20 23:59:59")
        #expect(SendWindow().earliestInstant(atOrAfter: now, in: shanghai) == now)
    }

    @Test func insideTheWindowIsNowAndBoundariesAreExact() {
        let birthday = window(["10:00-12:00", "18:00-20:00"])
        #expect(birthday.earliestInstant(atOrAfter: at("2026-11-20 10:00:00"), in: shanghai) == at("2026-11-20 10:00:00"))
        #expect(birthday.earliestInstant(atOrAfter: at("2026-11-20 09:59:59"), in: shanghai) == at("2026-11-20 10:00:00"))
        #expect(birthday.earliestInstant(atOrAfter: at("2026-11-20 11:59:59"), in: shanghai) == at("2026-11-20 11:59:59"))
        #expect(birthday.earliestInstant(atOrAfter: at("2026-11-20 12:00:00"), in: shanghai) == at("2026-11-20 18:00:00"))
        #expect(birthday.earliestInstant(atOrAfter: at("2026-11-20 20:00:00"), in: shanghai) == at("2026-11-21 10:00:00"))
    }

    @Test func quietHoursAcrossMidnight() {
        let marketing = window([], quiet: "21:00-08:00")
        #expect(marketing.earliestInstant(atOrAfter: at("2026-11-20 20:59:59"), in: shanghai) == at("2026-11-20 20:59:59"))
        #expect(marketing.earliestInstant(atOrAfter: at("2026-11-20 21:00:00"), in: shanghai) == at("2026-11-21 08:00:00"))
        #expect(marketing.earliestInstant(atOrAfter: at("2026-11-21 03:00:00"), in: shanghai) == at("2026-11-21 08:00:00"))
        // A window that starts inside quiet hours opens when they end.
        let early = window(["07:00-09:00"], quiet: "21:00-08:00")
        #expect(early.earliestInstant(atOrAfter: at("2026-11-20 06:00:00"), in: shanghai) == at("2026-11-20 08:00:00"))
    }

    @Test func aRangeCrossingMidnightBelongsToTheDayItStarts() {
        let lateFriday = window(["22:00-02:00"], days: [.fri])
        #expect(lateFriday.earliestInstant(atOrAfter: at("2026-11-21 01:00:00"), in: shanghai) == at("2026-11-21 01:00:00"))
        #expect(lateFriday.earliestInstant(atOrAfter: at("2026-11-21 02:00:00"), in: shanghai) == at("2026-11-27 22:00:00"))
    }

    @Test func weekdays() {
        let weekend = window(["10:00-12:00"], days: [.sat, .sun])
        #expect(weekend.earliestInstant(atOrAfter: at("2026-11-20 11:00:00"), in: shanghai) == at("2026-11-21 10:00:00"))
        #expect(weekend.earliestInstant(atOrAfter: at("2026-11-22 12:30:00"), in: shanghai) == at("2026-11-28 10:00:00"))
        #expect(SendWindow.Weekday(daysSinceEpoch: 0) == .thu)
        #expect(SendWindow.Weekday(daysSinceEpoch: -1) == .wed)
    }

    @Test func theMembersOwnClockDecides() {
        // 10:30 in Shanghai is 18:30 the day before in Los Angeles: outside 10:00-12:00 there.
        let morning = window(["10:00-12:00"], quiet: "21:00-08:00")
        let now = at("2026-11-20 10:30:00")
        #expect(morning.earliestInstant(atOrAfter: now, in: shanghai) == now)
        #expect(morning.earliestInstant(atOrAfter: now, in: losAngeles) == at("2026-11-20 10:00:00", losAngeles))
    }

    @Test func aWindowInsideQuietHoursNeverOpens() {
        let never = window(["22:00-23:00"], quiet: "21:00-08:00")
        #expect(never.earliestInstant(atOrAfter: at("2026-11-20 12:00:00"), in: shanghai) == nil)
    }
}
