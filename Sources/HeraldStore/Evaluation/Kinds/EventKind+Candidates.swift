import Foundation
import HeraldCore

/// Events of the trigger's type due at T (`events_type_at`), filtered by `where` in SQL.
extension EventKind: CandidateSource {
    func queryParts(_ context: CandidateQueryContext) -> CandidateQueryParts {
        var parts = CandidateQueryParts(
            from: "events e JOIN members m ON m.key = e.member_key LEFT JOIN member_state s ON s.member_key = m.key")
        parts.memberKey = "e.member_key"
        parts.columns = ["e.id AS event_id", "e.amount AS event_amount", "e.sku AS event_sku",
                         "e.category AS event_category"]
            + attributes.enumerated().map { index, name in
                "\(context.dialect.jsonScalarText("e.payload", name)) AS event_attribute_\(index)"
            }
        parts.conditions.append("e.type = ? AND e.at >= ? AND e.at <= ?")
        parts.conditionParameters += [.text(type), .integer(context.instantSeconds - delay.seconds - within.seconds),
                                      .integer(context.instantSeconds - delay.seconds)]
        if let filter {
            let compiled = EventFilterSQL(filter, context.dialect)
            parts.conditions.append(compiled.sql)
            parts.conditionParameters += compiled.parameters
        }
        parts.order = "m.id, e.at, e.key"
        parts.occurrenceKey = "'event:' || e.id"
        return parts
    }

    func read(_ row: CandidateRow, member: MemberRow, zone: TimeZone, context: CandidateQueryContext,
              into candidate: inout TriggerCandidate) -> Bool {
        candidate.occurrenceKey = "event:\(row.text("event_id") ?? "")"
        candidate.values["event.amount"] = row.integer("event_amount").map { .money(Money(fen: $0)) }
        candidate.values["event.sku"] = row.text("event_sku").map(TemplateValue.text)
        candidate.values["event.category"] = row.text("event_category").map(TemplateValue.text)
        for (index, path) in attributePaths.enumerated() {
            candidate.values[path] = row.text("event_attribute_\(index)").map(TemplateValue.text)
        }
        return true
    }
}
