/// What a report's rows break each trigger down by (`herald report --by`).
public enum ReportGrouping: String, Sendable, CaseIterable {
    /// One row per trigger.
    case trigger
    /// Per trigger and day (SPEC 6: the day of `scheduled_at` on the member's clock).
    case day
    /// Per trigger and the channel the send went out on (its fallback's, after a fallback).
    case channel
    /// Per trigger and A/B variant.
    case variant

    /// Held-out and suppressed members have a day but no channel or variant: with those
    /// groupings they are counted once per trigger, and every row of the trigger is compared
    /// with the trigger's whole control group.
    public var splitsControlGroup: Bool { self == .day }

    /// Rows carry held-out and suppressed counts (per trigger or per day), not per channel or variant.
    public var carriesControlColumns: Bool { self == .trigger || self == .day }
}
