import Foundation

/// Where in a member's week a send may be scheduled (SPEC 1.2 `window`, 1.1 `quiet_hours`).
///
/// `earliestInstant(atOrAfter:in:)` is SPEC 2.1's scheduled instant S: the earliest instant
/// ≥ T inside one of the hour ranges, on an allowed weekday, outside the quiet hours —
/// all read on the member's own wall clock. A range that crosses midnight belongs to the
/// day it starts on (`22:00-02:00` on Friday runs into Saturday). No hours means all day;
/// no days means every day. Looks up to 8 days ahead; nil means the window never opens
/// (a validation error for the trigger, not a send that silently never happens).
public struct SendWindow: Hashable, Sendable {
    public enum Weekday: String, CaseIterable, Sendable {
        case mon, tue, wed, thu, fri, sat, sun

        /// The weekday of a day number (days since 1970-01-01, a Thursday).
        init(daysSinceEpoch: Int) {
            let index = ((daysSinceEpoch + 3) % 7 + 7) % 7
            self = Weekday.allCases[index]
        }
    }

    public var hours: [LocalTimeRange]
    public var days: Set<Weekday>
    /// Hours nothing may be scheduled in (marketing sends: the config's `quiet_hours`).
    public var quietHours: LocalTimeRange?

    public init(hours: [LocalTimeRange] = [], days: Set<Weekday> = [], quietHours: LocalTimeRange? = nil) {
        self.hours = hours
        self.days = days
        self.quietHours = quietHours
    }

    public func earliestInstant(atOrAfter instant: Date, in zone: TimeZone) -> Date? {
        let (localNow, _) = LocalTime.localSeconds(of: instant, in: zone)
        let today = localNow >= 0 ? localNow / 86_400 : (localNow - 86_399) / 86_400
        // Open intervals in local seconds, from the day before (ranges crossing into today) to a week ahead.
        var open: [(start: Int, end: Int)] = []
        for day in (today - 1)...(today + 8) where days.isEmpty || days.contains(Weekday(daysSinceEpoch: day)) {
            let dayStart = day * 86_400
            let ranges = hours.isEmpty ? [LocalTimeRange(start: 0, end: 86_400)] : hours
            for range in ranges {
                open.append((dayStart + range.start, dayStart + range.start + range.length))
            }
        }
        let quiet: [(start: Int, end: Int)] = quietHours.map { range in
            ((today - 1)...(today + 9)).map { day in (day * 86_400 + range.start, day * 86_400 + range.start + range.length) }
        } ?? []
        var best: Int?
        for interval in open {
            var candidate = max(interval.start, localNow)
            // Step past quiet intervals that cover the candidate (they may chain across days).
            var moved = true
            while moved {
                moved = false
                for blocked in quiet where blocked.start <= candidate && candidate < blocked.end {
                    candidate = blocked.end
                    moved = true
                }
            }
            if candidate < interval.end, best.map({ candidate < $0 }) ?? true { best = candidate }
        }
        guard let best else { return nil }
        if best == localNow { return instant }
        let utc = LocalTime.utcSeconds(fromLocal: best, in: zone)
        return Date(epochSeconds: Int64(max(utc, Int(instant.epochSeconds))))
    }
}
