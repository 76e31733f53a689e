/// A behavioural audience field (what a member did, not what their profile says): read per
/// candidate from the store's events with an indexed probe, then compared like any number.
///
/// Windows are the `days` × 24 hours up to the evaluation instant; `days_since_*` count whole
/// days on the member's own clock. A member who never bought has no `days_since_purchase`
/// and no RFM scores, so every comparison on them fails (`not_in` aside).
public enum BehaviourMeasure: Sendable, Equatable {
    case daysSincePurchase
    case daysSinceActivity
    /// Purchases in the window.
    case purchases(days: Int)
    /// Purchase amounts in the window, in yuan.
    case spent(days: Int)
    /// Events of a type (matching `filter`) in the window.
    case events(type: String, filter: FilterExpression?, days: Int)
    /// A 1–5 quintile score over every member who bought in the last `RFMScores.lookbackDays`.
    case rfm(RFMScores.Part)

    /// The audience field name a filter writes.
    public var field: String {
        switch self {
        case .daysSincePurchase: "days_since_purchase"
        case .daysSinceActivity: "days_since_activity"
        case .purchases: "purchases_in"
        case .spent: "spent_in"
        case .events: "events_in"
        case .rfm(let part): "rfm.\(part.rawValue)"
        }
    }

    /// Identifies the measure among a trigger's: two conditions on the same measure share one
    /// probe, and a member's value is looked up by it.
    public var key: String {
        switch self {
        case .daysSincePurchase, .daysSinceActivity, .rfm: field
        case .purchases(let days), .spent(let days): "\(field):\(days)"
        case .events(let type, let filter, let days): "\(field):\(type):\(days):\(filter.map { "\($0)" } ?? "")"
        }
    }

    /// The fields that need a window (`days`), and `events_in` also a `type`.
    static let windowedFields: Set<String> = ["purchases_in", "spent_in", "events_in"]
    static let plainFields: [String: BehaviourMeasure] = [
        "days_since_purchase": .daysSincePurchase, "days_since_activity": .daysSinceActivity,
        "rfm.r": .rfm(.recency), "rfm.f": .rfm(.frequency), "rfm.m": .rfm(.monetary),
    ]
    static var fieldNames: [String] { Array(windowedFields) + plainFields.keys }
}

extension FilterExpression {
    /// Every behavioural measure the tree reads, each once, in the order first read.
    public var measures: [BehaviourMeasure] {
        var found: [BehaviourMeasure] = []
        func visit(_ expression: FilterExpression) {
            switch expression {
            case .all(let parts), .any(let parts): parts.forEach(visit)
            case .not(let inner): visit(inner)
            case .condition(let condition):
                if let measure = condition.measure, !found.contains(where: { $0.key == measure.key }) { found.append(measure) }
            }
        }
        visit(self)
        return found
    }
}
