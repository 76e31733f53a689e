import Foundation
import HeraldCore

/// Members whose last activity lies `days` (up to `maxDays`) before T, through the
/// `member_state_last_activity` index. Custom activity events can only make the last
/// activity later: the index still bounds it from above, and the exact test runs per row.
extension InactivityKind: CandidateSource {
    func queryParts(_ context: CandidateQueryContext) -> CandidateQueryParts {
        var parts = CandidateQueryParts(from: "member_state s JOIN members m ON m.key = s.member_key")
        parts.memberKey = "s.member_key"
        parts.conditions.append("s.last_activity_at <= ?")
        parts.conditionParameters.append(.integer(context.instantSeconds - Int64(days) * 86_400))
        let last: String
        if activityEvents.isEmpty {
            last = "s.last_activity_at"
            if let maxDays {
                parts.conditions.append("s.last_activity_at > ?")
                parts.conditionParameters.append(.integer(context.instantSeconds - Int64(maxDays) * 86_400))
            }
        } else {
            last = context.dialect.greatest("s.last_activity_at", "coalesce((SELECT max(e.at) FROM events e "
                + "WHERE e.member_key = m.key AND e.type IN (\(CandidateQuery.marks(activityEvents.count))) "
                + "AND e.at <= ?), 0)")
            parts.columnParameters += activityEvents.map(SQLValue.text) + [.integer(context.instantSeconds)]
        }
        parts.columns.append("\(last) AS last_activity")
        if activityEvents.isEmpty {
            parts.occurrenceKey = "'inactivity:' || " + context.dialect.utcString("s.last_activity_at")
        }
        return parts
    }

    func read(_ row: CandidateRow, member: MemberRow, zone: TimeZone, context: CandidateQueryContext,
              into candidate: inout TriggerCandidate) -> Bool {
        guard let last = row.integer("last_activity") else { return false }
        guard MemberRow.isSupported(epochSeconds: last) else {
            candidate.dataProblem = "an activity event at \(last) s is outside 1900–2200"
            return true
        }
        let inactiveSeconds = context.instantSeconds - last
        guard inactiveSeconds >= Int64(days) * 86_400, maxDays.map({ inactiveSeconds < Int64($0) * 86_400 }) ?? true
        else { return false }
        candidate.occurrenceKey = "inactivity:\(InstantFormatter.utcString(from: Date(epochSeconds: last)))"
        candidate.values["inactive_days"] = .number(inactiveSeconds / 86_400)
        return true
    }
}
