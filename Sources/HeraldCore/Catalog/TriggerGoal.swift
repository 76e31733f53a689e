/// What a trigger is for (SPEC 10): a member converts when an event of `event` (matching
/// `filter`) follows one of their sends within `within`. The report counts converted members
/// and the goal events' amounts as revenue, and measures the holdout lift on the goal
/// instead of on any purchase.
public struct TriggerGoal: Sendable, Equatable {
    public var event: String
    public var filter: FilterExpression?
    public var within: TimeSpan

    public init(event: String, filter: FilterExpression? = nil, within: TimeSpan = TimeSpan(days: 7)) {
        self.event = event
        self.filter = filter
        self.within = within
    }

    static func read(_ goal: JSONObjectReader) -> TriggerGoal? {
        goal.finish()
        guard let event = goal.string("event", required: true) else { return nil }
        var filter: FilterExpression?
        if let condition = goal["where"] {
            guard let parsed = FilterParser(fields: nil, file: goal.file, log: goal.log).parse(condition, path: "goal.where")
            else { return nil }
            filter = parsed
        }
        return TriggerGoal(event: event, filter: filter,
                           within: goal.timeSpan("within", in: SettingRange.goalWithin) ?? TimeSpan(days: 7))
    }
}
