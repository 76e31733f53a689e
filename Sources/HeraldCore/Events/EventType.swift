/// The `type` of an event. SPEC 1.5 names the built-in ones; any other name is stored
/// and counts as activity only for triggers that list it in `activity_events`.
public struct EventType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public static let login = EventType(rawValue: "login")
    public static let browse = EventType(rawValue: "browse")
    public static let search = EventType(rawValue: "search")
    public static let favorite = EventType(rawValue: "favorite")
    public static let cartAdd = EventType(rawValue: "cart_add")
    public static let purchase = EventType(rawValue: "purchase")
    public static let click = EventType(rawValue: "click")
    public static let redeem = EventType(rawValue: "redeem")
    public static let topup = EventType(rawValue: "topup")
    public static let share = EventType(rawValue: "share")
    public static let review = EventType(rawValue: "review")
    public static let storedValueSpend = EventType(rawValue: "stored_value_spend")
    public static let pointsEarn = EventType(rawValue: "points_earn")
    public static let pointsSpend = EventType(rawValue: "points_spend")
    public static let optOut = EventType(rawValue: "opt_out")
    public static let optIn = EventType(rawValue: "opt_in")
    /// A member's tier changed: `to` (required) and `from` (absent for a first tier).
    public static let tierChange = EventType(rawValue: "tier_change")
    public static let delivered = EventType(rawValue: "delivered")
    public static let undelivered = EventType(rawValue: "undelivered")

    /// The types that count as member activity for every trigger.
    public static let activityTypes: Set<EventType> = [
        .login, .browse, .search, .favorite, .cartAdd, .purchase, .click, .redeem, .topup, .share, .review,
    ]

    public var countsAsActivity: Bool { Self.activityTypes.contains(self) }

    /// Delivery receipts come from a gateway and may not name a member.
    public var isDeliveryReceipt: Bool { self == .delivered || self == .undelivered }

    public var description: String { rawValue }
}
