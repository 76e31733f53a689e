/// SPEC 2 `inactivity`: `days` ≤ T − last activity (< `maxDays` when set); `activityEvents`
/// adds custom event types to what counts as activity.
public struct InactivityKind: TriggerKindDefinition {
    public static let name = "inactivity"
    public static let paramKeys = ["days", "max_days", "activity_events"]
    public var days: Int
    public var maxDays: Int?
    public var activityEvents: [String]

    public init(days: Int, maxDays: Int? = nil, activityEvents: [String] = []) {
        self.days = days
        self.maxDays = maxDays
        self.activityEvents = activityEvents
    }

    public static func read(_ params: JSONObjectReader, file: JSONObjectReader) -> InactivityKind? {
        let days = params.integer("days", required: true, in: SettingRange.inactiveDays)
        let maxDays = params.integer("max_days", in: SettingRange.inactiveDays)
        let activityEvents = params.strings("activity_events") ?? []
        guard let days else { return nil }
        if let maxDays, maxDays <= days {
            params.problem(at: params["max_days"]!.position,
                           "params.max_days: expected more than days (\(days)), found \(maxDays)")
            return nil
        }
        return InactivityKind(days: days, maxDays: maxDays, activityEvents: activityEvents)
    }

    public var suppliedValues: Set<String> { ["inactive_days"] }
    public var triggerKind: TriggerKind { .inactivity(self) }
}
