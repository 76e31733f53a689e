import Foundation

/// Wall-clock arithmetic in a time zone: local seconds (seconds since 1970-01-01T00:00
/// on the zone's wall clock) to UTC and back.
public enum LocalTime {
    /// The UTC instant (whole seconds since the epoch) at which `zone`'s wall clock shows `localSeconds`.
    /// Two lookups settle the offset on both sides of a transition; a local time inside a
    /// spring-forward gap lands one offset-difference later, an ambiguous one on its first occurrence.
    public static func utcSeconds(fromLocal localSeconds: Int, in zone: TimeZone) -> Int {
        let firstGuess = localSeconds - zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(localSeconds)))
        let offset = zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(firstGuess)))
        return localSeconds - offset
    }

    /// The zone's wall-clock reading of `instant`, in local seconds, and the offset used.
    /// Instants beyond ±30 million years are read as that bound: an absurd instant in a store
    /// (written by hand, or by an older version) must print as something, never trap.
    public static func localSeconds(of instant: Date, in zone: TimeZone) -> (seconds: Int, offset: Int) {
        let offset = zone.secondsFromGMT(for: instant)
        let bounded = min(max(instant.timeIntervalSince1970.rounded(.down), -1e15), 1e15)
        return (Int(bounded) + offset, offset)
    }

    /// The zone's calendar date at `instant`.
    public static func date(of instant: Date, in zone: TimeZone) -> CivilDate {
        let local = localSeconds(of: instant, in: zone).seconds
        return CivilDate(daysSinceEpoch: local >= 0 ? local / 86_400 : (local - 86_399) / 86_400)
    }
}
