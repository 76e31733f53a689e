import Foundation
import Testing
@testable import HeraldCore

private let shanghai = TimeZone(identifier: "Asia/Shanghai")!
private let newYork = TimeZone(identifier: "America/New_York")!

private func instant(_ utc: String) -> Date {
    InstantParser(defaultTimeZone: TimeZone(identifier: "UTC")!).parse(utc)!
}

@Suite struct TimeTests {
    @Test func civilDateRoundTripsAcrossCenturiesAndLeapDays() {
        for days in stride(from: -800_000, through: 800_000, by: 997) {
            let date = CivilDate(daysSinceEpoch: days)
            #expect(date.daysSinceEpoch == days)
        }
        #expect(CivilDate(daysSinceEpoch: 0).description == "1970-01-01")
        #expect(CivilDate(year: 2024, month: 2, day: 29)?.daysSinceEpoch == 19_782)
        #expect(CivilDate(year: 2023, month: 2, day: 29) == nil)
        #expect(CivilDate(year: 1900, month: 2, day: 29) == nil)
        #expect(CivilDate(year: 2000, month: 2, day: 29) != nil)
    }

    @Test(arguments: [
        ("2026-05-20T09:30:00+08:00", 1_779_240_600.0),
        ("2026-05-20T01:30:00Z", 1_779_240_600.0),
        ("2026-05-20T01:30:00z", 1_779_240_600.0),
        ("2026-05-20 09:30:00", 1_779_240_600.0),     // local, in Asia/Shanghai
        ("2026-05-20T09:30", 1_779_240_600.0),
        ("2026-05-20", 1_779_206_400.0),              // local midnight
        ("2026-05-19T20:30:00-0500", 1_779_240_600.0),
        ("2026-05-20T09:30:00.250+08", 1_779_240_600.25),
    ])
    func parsesTheFormsSpecAllows(text: String, seconds: Double) {
        #expect(InstantParser(defaultTimeZone: shanghai).parse(text)?.timeIntervalSince1970 == seconds)
    }

    @Test(arguments: ["", "2026-5-20", "2026-02-30", "2026-05-20T24:00:00", "2026-05-20T09:30:00+8", "20260520",
                      "2026-05-20T09:30:00 +08:00", "2026-05-20X", "1716170000", "2026-05-20T09:60"])
    func rejectsEverythingElse(text: String) {
        #expect(InstantParser(defaultTimeZone: shanghai).parse(text) == nil)
    }

    @Test func localTimesFollowDaylightSaving() {
        let parser = InstantParser(defaultTimeZone: newYork)
        #expect(parser.parse("2026-01-15 12:00:00") == instant("2026-01-15T17:00:00Z"))  // EST
        #expect(parser.parse("2026-07-15 12:00:00") == instant("2026-07-15T16:00:00Z"))  // EDT
    }

    @Test func formatsWithTheZonesOwnOffset() {
        let moment = instant("2026-05-20T01:30:00Z")
        #expect(InstantFormatter.string(from: moment, in: shanghai) == "2026-05-20T09:30:00+08:00")
        #expect(InstantFormatter.string(from: moment, in: newYork) == "2026-05-19T21:30:00-04:00")
        #expect(InstantFormatter.string(from: instant("1969-12-31T23:59:59Z"), in: TimeZone(identifier: "UTC")!)
            == "1969-12-31T23:59:59+00:00")
    }

    /// The digit-by-digit writer against the calendar's own arithmetic, across the years
    /// Herald accepts (1900–2200), before the epoch included.
    @Test func utcStringsMatchTheCalendar() {
        #expect(InstantFormatter.utcString(from: Date(epochSeconds: 0)) == "1970-01-01T00:00:00Z")
        #expect(InstantFormatter.utcString(from: Date(epochSeconds: -2_208_988_801)) == "1899-12-31T23:59:59Z")
        #expect(InstantFormatter.utcString(from: Date(epochSeconds: 1_764_293_405)) == "2025-11-28T01:30:05Z")
        #expect(InstantFormatter.utcString(from: Date(epochSeconds: 7_258_118_399)) == "2199-12-31T23:59:59Z")
        #expect(InstantFormatter.string(from: Date(epochSeconds: 1_764_293_405), in: TimeZone(identifier: "America/St_Johns")!)
            == "2025-11-27T22:00:05-03:30")
        // The idempotency key: FNV-1a-128 in 32 hex digits (computed independently in Python).
        #expect(PlannedSend.idempotencyKey(triggerID: "silent_90", memberID: "M83973",
                                           occurrenceKey: "inactivity:2025-11-25T01:30:00Z")
            == "hk-9bfd26e8b8116875e59b2f94b3c068bb")
    }

    @Test func localDateChangesAtTheMembersMidnight() {
        let moment = instant("2026-05-19T16:30:00Z")  // 00:30 on the 20th in Shanghai
        #expect(LocalTime.date(of: moment, in: shanghai).description == "2026-05-20")
        #expect(LocalTime.date(of: moment, in: newYork).description == "2026-05-19")
    }

    @Test func manualClockMovesOnlyWhenTold() {
        let clock = ManualWallClock(instant("2026-05-20T00:00:00Z"))
        #expect(clock.now() == instant("2026-05-20T00:00:00Z"))
        clock.advance(by: 90)
        #expect(clock.now() == instant("2026-05-20T00:01:30Z"))
    }
}
