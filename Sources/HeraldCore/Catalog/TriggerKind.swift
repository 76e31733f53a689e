/// The six trigger kinds of SPEC 2 with their parameters, defaults applied.
public enum TriggerKind: Sendable, Equatable {
    case birthday(daysBefore: Int)
    /// `days` ≤ T − last activity (< `maxDays` when set); `activityEvents` adds custom event types.
    case inactivity(days: Int, maxDays: Int?, activityEvents: [String])
    case cartAbandonment(after: TimeSpan, within: TimeSpan, categories: [String])
    case lowBalance(below: Money)
    case pointsExpiry(withinDays: Int, minPoints: Int)
    /// An event of `type` matching `filter`, due from E.at + delay for `within`.
    case event(type: String, filter: FilterExpression?, delay: TimeSpan, within: TimeSpan)

    public static let names = ["birthday", "inactivity", "cart_abandonment", "low_balance", "points_expiry", "event"]

    public var name: String {
        switch self {
        case .birthday: "birthday"
        case .inactivity: "inactivity"
        case .cartAbandonment: "cart_abandonment"
        case .lowBalance: "low_balance"
        case .pointsExpiry: "points_expiry"
        case .event: "event"
        }
    }

    /// The placeholders this kind supplies beyond those every trigger has (SPEC 1.3, 2).
    /// `event.*` is Herald's addition: the triggering event's amount, sku and category.
    public var suppliedValues: Set<String> {
        switch self {
        case .inactivity: ["inactive_days"]
        case .pointsExpiry: ["points.expiring", "points.expires_on"]
        case .cartAbandonment: ["cart.sku", "cart.category"]
        case .event: ["event.amount", "event.sku", "event.category"]
        case .birthday, .lowBalance: []
        }
    }

    /// Values a member or event may lack: a template must give them a `default`.
    public var optionalValues: Set<String> {
        var optional: Set<String> = ["member.name", "member.tier", "cart.sku", "cart.category", "event.amount", "event.sku",
                                     "event.category"]
        if case .lowBalance = self {} else { optional.insert("member.stored_value") }
        return optional
    }
}
