import Foundation
import HeraldCore

/// Members whose lots expiring within the window hold at least `minPoints`, grouped from
/// the `points_lots_expiring` index.
extension PointsExpiryKind: CandidateSource {
    func queryParts(_ context: CandidateQueryContext) -> CandidateQueryParts {
        let t = context.instantSeconds, until = t + Int64(withinDays) * 86_400
        let expiring = context.dialect.saturatingSum("remaining")
        var parts = CandidateQueryParts(from: """
            (SELECT member_key, \(expiring) AS expiring, min(expires_at) AS first_expiry \
            FROM points_lots WHERE remaining > 0 AND expires_at > ? AND expires_at <= ? \
            GROUP BY member_key HAVING \(expiring) >= ?) x \
            JOIN members m ON m.key = x.member_key LEFT JOIN member_state s ON s.member_key = m.key
            """)
        parts.memberKey = "x.member_key"
        parts.fromParameters = [.integer(t), .integer(until), .integer(Int64(minPoints))]
        parts.columns = ["x.expiring AS expiring", "x.first_expiry AS first_expiry"]
        // The key is the first expiry's local date: SQL can compute it for members on the default
        // zone while that zone keeps one offset over the window (Asia/Shanghai always does).
        let zone = context.defaultTimeZone
        let offset = zone.secondsFromGMT(for: context.instant)
        let changes = zone.nextDaylightSavingTimeTransition(after: context.instant)
            .map { $0.epochSeconds <= until } ?? false
        if !changes, zone.secondsFromGMT(for: Date(epochSeconds: until)) == offset {
            parts.occurrenceKey = "CASE WHEN m.timezone IS NULL OR m.timezone = ? "
                + "THEN 'points:' || \(context.dialect.utcDate("x.first_expiry + ?")) END"
            parts.occurrenceKeyParameters = [.text(zone.identifier), .integer(Int64(offset))]
        }
        return parts
    }

    func read(_ row: CandidateRow, member: MemberRow, zone: TimeZone, context: CandidateQueryContext,
              into candidate: inout TriggerCandidate) -> Bool {
        let expiry = row.integer("first_expiry") ?? context.instantSeconds
        guard MemberRow.isSupported(epochSeconds: expiry) else {
            candidate.dataProblem = "a points lot expiring at \(expiry) s is outside 1900–2200"
            return true
        }
        let expiring = row.integer("expiring")
        if let problem = MemberRow.pointsProblem(expiring, "expiring points") {
            candidate.dataProblem = problem
            return true
        }
        let firstExpiry = LocalTime.date(of: Date(epochSeconds: expiry), in: zone)
        candidate.occurrenceKey = "points:\(firstExpiry)"
        candidate.values["points.expiring"] = .number(expiring ?? 0)
        candidate.values["points.expires_on"] = .date(firstExpiry)
        return true
    }
}
