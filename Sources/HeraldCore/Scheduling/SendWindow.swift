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

    /// The next instant after `instant` at which the window opens anew (the start of an
    /// open stretch, quiet hours taken out), within 8 days; nil when none starts there (a
    /// window open all the time). Where a send the provider throttled per number waits (SPEC 7).
    public func nextOpening(after instant: Date, in zone: TimeZone) -> Date? {
        let (localNow, _) = LocalTime.localSeconds(of: instant, in: zone)
        let today = localNow >= 0 ? localNow / 86_400 : (localNow - 86_399) / 86_400
        var open: [(start: Int, end: Int)] = []
        for day in (today - 1)...(today + 8) where days.isEmpty || days.contains(Weekday(daysSinceEpoch: day)) {
            for range in hours.isEmpty ? [LocalTimeRange(start: 0, end: 86_400)] : hours {
                open.append((day * 86_400 + range.start, day * 86_400 + range.start + range.length))
            }
        }
        var pieces: [(start: Int, end: Int)] = []
        for interval in open {
            var remaining = [interval]
            for day in (today - 1)...(today + 9) {
                guard let quiet = quietHours else { break }
                let blocked = (start: day * 86_400 + quiet.start, end: day * 86_400 + quiet.start + quiet.length)
                remaining = remaining.flatMap { part -> [(start: Int, end: Int)] in
                    guard blocked.start < part.end, part.start < blocked.end else { return [part] }
                    return [(part.start, blocked.start), (blocked.end, part.end)].filter { $0.start < $0.end }
                }
            }
            pieces += remaining
        }
        pieces.sort { $0.start < $1.start }
        var merged: [(start: Int, end: Int)] = []
        for piece in pieces {
            if let last = merged.last, piece.start <= last.end {
                merged[merged.count - 1].end = max(last.end, piece.end)
            } else {
                merged.append(piece)
            }
        }
        guard let opening = merged.first(where: { $0.start > localNow }) else { return nil }
        return Date(epochSeconds: Int64(LocalTime.utcSeconds(fromLocal: opening.start, in: zone)))
    }
}
