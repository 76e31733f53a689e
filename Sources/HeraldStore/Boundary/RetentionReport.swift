/// What one retention sweep deleted (`MemberStore.applyRetention`).
public struct RetentionReport: Sendable, Equatable {
    public var events = 0
    public var pointsLots = 0
    public var attempts = 0
    public var messages = 0
    /// Whether the sweep stopped at its batch limit with rows still due (the next one goes on).
    public var hasMore = false

    public init() {}

    public var total: Int { events + pointsLots + attempts + messages }
}
