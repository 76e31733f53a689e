/// `retention: { events: "400d", attempts: "90d", outbox: "400d" }` (issue 17): how long the
/// store keeps each kind of row before `herald run` deletes it, in small batches. Each is
/// optional; without one, those rows are kept for ever (as before retention existed).
public struct RetentionPolicy: Sendable, Equatable {
    /// Events by their `at`; ingest refuses events older than this, since their ids may be gone.
    public var events: TimeSpan?
    /// Delivery attempts by when they started.
    public var attempts: TimeSpan?
    /// Finished messages (sent, delivered, failed, expired, cancelled) by when they were
    /// scheduled, with their attempts; the planning decisions about them stay.
    public var outbox: TimeSpan?

    public init(events: TimeSpan? = nil, attempts: TimeSpan? = nil, outbox: TimeSpan? = nil) {
        self.events = events
        self.attempts = attempts
        self.outbox = outbox
    }

    public static let keys = ["events", "attempts", "outbox"]

    public var isEmpty: Bool { events == nil && attempts == nil && outbox == nil }
}
