import Foundation
import HeraldCore

/// Members with a stored value in [0, `below`), through `member_state_stored_value`.
extension LowBalanceKind: CandidateSource {
    func queryParts(_ context: CandidateQueryContext) -> CandidateQueryParts {
        var parts = CandidateQueryParts(from: "member_state s JOIN members m ON m.key = s.member_key")
        parts.memberKey = "s.member_key"
        parts.conditions.append("s.stored_value >= 0 AND s.stored_value < ?")
        parts.conditionParameters.append(.integer(below.fen))
        parts.occurrenceKey = "'low_balance:' || coalesce("
            + context.dialect.utcString("s.last_topup_at") + ", 'initial')"
        return parts
    }

    func read(_ row: CandidateRow, member: MemberRow, zone: TimeZone, context: CandidateQueryContext,
              into candidate: inout TriggerCandidate) -> Bool {
        candidate.occurrenceKey = "low_balance:" + (member.lastTopupAt.map(InstantFormatter.utcString) ?? "initial")
        return true
    }
}
