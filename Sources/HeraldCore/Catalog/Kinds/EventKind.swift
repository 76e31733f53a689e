/// SPEC 2 `event`: an event of `type` matching `filter`, due from E.at + `delay` for `within`.
/// `attributes` names the event's own JSON members its templates read as `{{ event.<name> }}`
/// (a tier change's `from` and `to`), so `validate` knows them.
public struct EventKind: TriggerKindDefinition {
    public static let name = "event"
    public static let paramKeys = ["event", "where", "delay", "within", "attributes"]
    public var type: String
    public var filter: FilterExpression?
    public var delay: TimeSpan
    public var within: TimeSpan
    public var attributes: [String]

    public init(type: String, filter: FilterExpression? = nil, delay: TimeSpan = TimeSpan(seconds: 0),
                within: TimeSpan = TimeSpan(seconds: 86_400), attributes: [String] = []) {
        self.type = type
        self.filter = filter
        self.delay = delay
        self.within = within
        self.attributes = attributes
    }

    /// Members every event has as columns, supplied already.
    static let columnAttributes: Set<String> = ["amount", "sku", "category"]

    public static func read(_ params: JSONObjectReader, file: JSONObjectReader) -> EventKind? {
        guard let type = params.string("event", required: true) else { return nil }
        let filter = params["where"].flatMap {
            FilterParser(fields: nil, file: file.file, log: file.log).parse($0, path: "params.where")
        }
        if params["where"] != nil && filter == nil { return nil }
        let attributes = params.strings("attributes") ?? []
        for name in attributes where Self.columnAttributes.contains(name)
            || name.isEmpty || !name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) {
            params.expected("attributes", "names of the event's own members (letters, digits, _; amount, sku and category are always there)",
                            found: JSONValue(.string(name), at: params["attributes"]!.position))
            return nil
        }
        let defaults = EventKind(type: type)
        return EventKind(type: type, filter: filter,
                         delay: params.timeSpan("delay", in: SettingRange.eventDelay) ?? defaults.delay,
                         within: params.timeSpan("within", in: SettingRange.eventWithin) ?? defaults.within,
                         attributes: attributes)
    }

    /// The `event.<name>` placeholders of the declared attributes.
    public var attributePaths: [String] { attributes.map { "event.\($0)" } }

    /// Herald's addition: the triggering event's amount, sku and category, and its declared attributes.
    public var suppliedValues: Set<String> { Set(["event.amount", "event.sku", "event.category"] + attributePaths) }

    /// A declared attribute may be missing from an event (text only is read: a number counts as
    /// its digits), except a tier change's `to`, which ingest requires.
    public var optionalValues: Set<String> {
        let guaranteed: Set<String> = type == EventType.tierChange.rawValue ? ["event.to"] : []
        return Self.commonOptionalValues.union(attributePaths).subtracting(guaranteed)
    }
    public var triggerKind: TriggerKind { .event(self) }
}
