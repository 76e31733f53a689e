/// SPEC 2 `event`: an event of `type` matching `filter`, due from E.at + `delay` for `within`.
public struct EventKind: TriggerKindDefinition {
    public static let name = "event"
    public static let paramKeys = ["event", "where", "delay", "within"]
    public var type: String
    public var filter: FilterExpression?
    public var delay: TimeSpan
    public var within: TimeSpan

    public init(type: String, filter: FilterExpression? = nil, delay: TimeSpan = TimeSpan(seconds: 0),
                within: TimeSpan = TimeSpan(seconds: 86_400)) {
        self.type = type
        self.filter = filter
        self.delay = delay
        self.within = within
    }

    public static func read(_ params: JSONObjectReader, file: JSONObjectReader) -> EventKind? {
        guard let type = params.string("event", required: true) else { return nil }
        let filter = params["where"].flatMap {
            FilterParser(fields: nil, file: file.file, log: file.log).parse($0, path: "params.where")
        }
        if params["where"] != nil && filter == nil { return nil }
        let defaults = EventKind(type: type)
        return EventKind(type: type, filter: filter,
                         delay: params.timeSpan("delay", in: SettingRange.eventDelay) ?? defaults.delay,
                         within: params.timeSpan("within", in: SettingRange.eventWithin) ?? defaults.within)
    }

    /// Herald's addition: the triggering event's amount, sku and category.
    public var suppliedValues: Set<String> { ["event.amount", "event.sku", "event.category"] }
    public var triggerKind: TriggerKind { .event(self) }
}
