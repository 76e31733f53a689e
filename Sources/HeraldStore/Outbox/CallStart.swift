/// What `startCalls` did with one row.
public enum CallStart: Sendable, Equatable {
    /// The re-check passed and the call's start is recorded: make the call now.
    case call
    /// The re-check settled it without a call (cancelled, expired, rescheduled); written.
    case settled(DeliveryRecord.Outcome)
    /// The row is no longer this worker's (its lease was recovered elsewhere, or an operator
    /// changed it): no call.
    case notHeld
}
