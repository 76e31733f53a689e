import Foundation
import HeraldCore

/// Each member's latest `cart_add` (in `categories` when set) inside the window with no
/// purchase after it, through `events_type_at` and `events_member_type_at`.
extension CartAbandonmentKind: CandidateSource {
    func queryParts(_ context: CandidateQueryContext) -> CandidateQueryParts {
        var parts = CandidateQueryParts(
            from: "events e JOIN members m ON m.key = e.member_key LEFT JOIN member_state s ON s.member_key = m.key")
        parts.memberKey = "e.member_key"
        parts.columns = ["e.id AS cart_event", "e.sku AS cart_sku", "e.category AS cart_category"]
        func inCategories(_ alias: String) -> String {
            categories.isEmpty ? "" : " AND \(alias).category IN (\(CandidateQuery.marks(categories.count)))"
        }
        let categoryValues = categories.map(SQLValue.text)
        let t = context.instantSeconds
        parts.conditions.append("e.type = 'cart_add' AND e.at >= ? AND e.at <= ?" + inCategories("e"))
        parts.conditionParameters += [.integer(t - within.seconds), .integer(t - after.seconds)] + categoryValues
        parts.conditions.append("""
            NOT EXISTS (SELECT 1 FROM events l WHERE l.member_key = e.member_key AND l.type = 'cart_add' AND l.at <= ? \
            AND (l.at > e.at OR (l.at = e.at AND l.key > e.key))\(inCategories("l")))
            """)
        parts.conditionParameters += [.integer(t)] + categoryValues
        parts.conditions.append("""
            NOT EXISTS (SELECT 1 FROM events p WHERE p.member_key = e.member_key AND p.type = 'purchase' \
            AND p.at > e.at AND p.at <= ?)
            """)
        parts.conditionParameters.append(.integer(t))
        parts.order = "m.id, e.at, e.key"
        parts.occurrenceKey = "'cart:' || e.id"
        return parts
    }

    func read(_ row: CandidateRow, member: MemberRow, zone: TimeZone, context: CandidateQueryContext,
              into candidate: inout TriggerCandidate) -> Bool {
        candidate.occurrenceKey = "cart:\(row.text("cart_event") ?? "")"
        candidate.values["cart.sku"] = row.text("cart_sku").map(TemplateValue.text)
        candidate.values["cart.category"] = row.text("cart_category").map(TemplateValue.text)
        return true
    }
}
