import Foundation
import HeraldCore

/// Every member while the broadcast is due somewhere on Earth (none otherwise: a tick outside
/// its days reads nothing); each member's own local `at` is checked per row.
extension BroadcastKind: CandidateSource {
    func queryParts(_ context: CandidateQueryContext) -> CandidateQueryParts {
        var parts = CandidateQueryParts(from: CandidateQueryParts.memberTables)
        if !dueSomewhere(at: context.instant) { parts.conditions.append("FALSE") }
        parts.occurrenceKey = "?"
        parts.occurrenceKeyParameters = [.text(occurrenceKey)]
        return parts
    }

    func read(_ row: CandidateRow, member: MemberRow, zone: TimeZone, context: CandidateQueryContext,
              into candidate: inout TriggerCandidate) -> Bool {
        guard isDue(at: context.instant, in: zone) else { return false }
        candidate.occurrenceKey = occurrenceKey
        return true
    }
}
