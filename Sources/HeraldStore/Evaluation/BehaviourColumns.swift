import Foundation
import HeraldCore

/// The behavioural audience measures of a trigger as columns of its candidate query
/// (`audience_0`, `audience_1`, …): each a correlated subquery over one member's events that
/// the `events_member_type_at` index answers with a range scan, so the cost is per candidate
/// and memory stays flat. Swift then turns each raw value into what the filter compares
/// (days on the member's clock, yuan, an RFM score).
struct BehaviourColumns {
    let measures: [BehaviourMeasure]
    let rfm: RFMScores?

    /// `expression AS audience_<i>` per measure, with their parameters in order.
    func columns(_ context: CandidateQueryContext) -> (columns: [String], parameters: [SQLValue]) {
        var columns: [String] = []
        var parameters: [SQLValue] = []
        let now = context.instantSeconds
        for (index, measure) in measures.enumerated() {
            let name = "audience_\(index)"
            /// A subquery over the member's events of `type` in (since, T].
            func overEvents(_ aggregate: String, type: String, sinceDays days: Int?, filter: FilterExpression? = nil) {
                var sql = "(SELECT \(aggregate) FROM events e WHERE e.member_key = m.key AND e.type = ? AND e.at <= ?"
                parameters += [.text(type), .integer(now)]
                if let days {
                    sql += " AND e.at > ?"
                    parameters.append(.integer(now - Int64(days) * 86_400))
                }
                if let filter {
                    let compiled = EventFilterSQL(filter, context.dialect)
                    sql += " AND " + compiled.sql
                    parameters += compiled.parameters
                }
                columns.append(sql + ") AS \(name)")
            }
            let purchase = EventType.purchase.rawValue
            switch measure {
            case .daysSincePurchase: overEvents("max(e.at)", type: purchase, sinceDays: nil)
            case .daysSinceActivity: columns.append("s.last_activity_at AS \(name)")
            case .purchases(let days): overEvents("count(*)", type: purchase, sinceDays: days)
            case .spent(let days): overEvents(context.dialect.saturatingSum("e.amount"), type: purchase, sinceDays: days)
            case .events(let type, let filter, let days): overEvents("count(*)", type: type, sinceDays: days, filter: filter)
            case .rfm(let part):
                // NULL for a member with no purchase in the year: no score, not the lowest one.
                let aggregate = switch part {
                case .recency: "max(e.at)"
                case .frequency: "CASE WHEN count(*) > 0 THEN count(*) END"
                case .monetary: "CASE WHEN count(*) > 0 THEN \(context.dialect.saturatingSum("e.amount")) END"
                }
                overEvents(aggregate, type: purchase, sinceDays: RFMScores.lookbackDays)
            }
        }
        return (columns, parameters)
    }

    /// The measures' values for the row's member, by key; a member with no value for a
    /// measure (never bought, never active) has none in the result.
    func values(_ row: CandidateRow, zone: TimeZone, instant: Date) -> [String: Double] {
        var values: [String: Double] = [:]
        for (index, measure) in measures.enumerated() {
            let raw = row.integer("audience_\(index)")
            let value: Double? = switch measure {
            case .daysSincePurchase, .daysSinceActivity:
                raw.map { at in
                    Double(LocalTime.date(of: instant, in: zone).daysSinceEpoch
                        - LocalTime.date(of: Date(timeIntervalSince1970: TimeInterval(at)), in: zone).daysSinceEpoch)
                }
            case .purchases, .events: Double(raw ?? 0)
            case .spent: Double(raw ?? 0) / 100
            case .rfm(let part): raw.flatMap { rfm?.score($0, part).map(Double.init) }
            }
            if let value { values[measure.key] = value }
        }
        return values
    }
}
