/// SPEC 2 `points_expiry`: points in lots expiring within `withinDays` days sum to at least
/// `minPoints`.
public struct PointsExpiryKind: TriggerKindDefinition {
    public static let name = "points_expiry"
    public static let paramKeys = ["within_days", "min_points"]
    public var withinDays: Int
    public var minPoints: Int

    public init(withinDays: Int = 30, minPoints: Int = 1) {
        self.withinDays = withinDays
        self.minPoints = minPoints
    }

    public static func read(_ params: JSONObjectReader, file: JSONObjectReader) -> PointsExpiryKind? {
        let defaults = PointsExpiryKind()
        let withinDays = params.integer("within_days", in: SettingRange.withinDays) ?? defaults.withinDays
        let minPoints = params.integer("min_points", in: SettingRange.minPoints) ?? defaults.minPoints
        return PointsExpiryKind(withinDays: withinDays, minPoints: minPoints)
    }

    public var suppliedValues: Set<String> { ["points.expiring", "points.expires_on"] }
    public var triggerKind: TriggerKind { .pointsExpiry(self) }
}
