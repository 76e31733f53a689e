import Foundation

/// SPEC 2's birthday condition: the member's local date at T plus `days_before` days has
/// the birthday's month and day, where 29 February counts as 28 February in common years.
public enum BirthdayRule {
    /// The date being celebrated, when the condition holds; its year is the occurrence's.
    public static func celebratedDate(of birthday: Birthday, at instant: Date, in zone: TimeZone, daysBefore: Int) -> CivilDate? {
        let target = CivilDate(daysSinceEpoch: LocalTime.date(of: instant, in: zone).daysSinceEpoch + daysBefore)
        if (target.month, target.day) == (birthday.month, birthday.day) { return target }
        if (birthday.month, birthday.day) == (2, 29), (target.month, target.day) == (2, 28), !CivilDate.isLeap(year: target.year) {
            return target
        }
        return nil
    }

    /// Every (month, day) a birthday can have for the condition to hold somewhere on Earth at
    /// `instant`: local dates run from UTC−12 to UTC+14, so two or three dates, plus 29 February
    /// when one of them is 28 February of a common year. The store's index narrows to these.
    public static func candidateMonthDays(at instant: Date, daysBefore: Int) -> [(month: Int, day: Int)] {
        var pairs: [(month: Int, day: Int)] = []
        for day in localDays(at: instant) {
            let target = CivilDate(daysSinceEpoch: day + daysBefore)
            pairs.append((target.month, target.day))
            if (target.month, target.day) == (2, 28), !CivilDate.isLeap(year: target.year) { pairs.append((2, 29)) }
        }
        return pairs
    }

    /// The years a birthday celebrated at `instant` can fall in anywhere on Earth: one, except
    /// around New Year, when the store cannot tell a member's year without their zone.
    public static func celebratedYears(at instant: Date, daysBefore: Int) -> Set<Int> {
        Set(localDays(at: instant).map { CivilDate(daysSinceEpoch: $0 + daysBefore).year })
    }

    /// The local dates (days since the epoch) from UTC−12 to UTC+14 at `instant`.
    private static func localDays(at instant: Date) -> ClosedRange<Int> {
        let utc = InstantFormatter.utc
        let earliest = LocalTime.date(of: instant.addingTimeInterval(-12 * 3600), in: utc).daysSinceEpoch
        let latest = LocalTime.date(of: instant.addingTimeInterval(14 * 3600), in: utc).daysSinceEpoch
        return earliest...latest
    }
}
