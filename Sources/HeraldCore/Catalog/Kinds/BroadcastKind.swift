import Foundation

/// SPEC 10 `broadcast`: a one-off campaign to an audience, due at `at` on each member's own
/// clock (10:00 in Shanghai, then 10:00 in Berlin) and for `within` after it; once per member
/// (occurrence key `broadcast:<at>`). Windows, caps, holdout and variants apply as to any
/// trigger, so a broadcast marks its members' caps like the rest.
public struct BroadcastKind: TriggerKindDefinition {
    public static let name = "broadcast"
    public static let paramKeys = ["at", "within"]
    /// The local date and time, as written (normalized to `YYYY-MM-DD HH:MM`).
    public var at: LocalDateTime
    public var within: TimeSpan

    public init(at: LocalDateTime, within: TimeSpan = TimeSpan(hours: 24)) {
        self.at = at
        self.within = within
    }

    public static func read(_ params: JSONObjectReader, file: JSONObjectReader) -> BroadcastKind? {
        let within = params.timeSpan("within", in: SettingRange.broadcastWithin)
        guard let text = params.string("at", required: true) else { return nil }
        guard let at = LocalDateTime(text) else {
            params.expected("at", "a local date and time \"YYYY-MM-DD HH:MM\", such as \"2026-12-12 10:00\" (read on each member's clock)",
                            found: params["at"]!)
            return nil
        }
        return BroadcastKind(at: at, within: within ?? TimeSpan(hours: 24))
    }

    public var occurrenceKey: String { "broadcast:\(at)" }

    /// Whether the broadcast is due at `instant` for a member in `zone`: at ≤ T < at + within.
    public func isDue(at instant: Date, in zone: TimeZone) -> Bool {
        let start = at.instant(in: zone)
        return start <= instant && instant < start + TimeInterval(within.seconds)
    }

    /// The instants between which the broadcast is due somewhere on Earth (zones run from
    /// UTC−12 to UTC+14): outside them no member can be a candidate.
    public func dueSomewhere(at instant: Date) -> Bool {
        let asUTC = at.instant(in: TimeZone(identifier: "UTC")!)
        return asUTC - 14 * 3_600 <= instant && instant < asUTC + 12 * 3_600 + TimeInterval(within.seconds)
    }

    public var triggerKind: TriggerKind { .broadcast(self) }
}
