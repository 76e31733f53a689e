import Foundation
import HeraldCore

extension CandidateQuery {
    /// Runs the query and hands each candidate to `body`, one row at a time (memory stays
    /// flat however many members match).
    func forEachCandidate(in store: SQLiteStore, zones: TimeZoneResolver,
                                 _ body: (TriggerCandidate) throws -> Void) throws {
        let statement = try store.database.prepare(sql)
        try statement.bind(parameters)
        let source = trigger.kind.candidateSource
        let context = CandidateQueryContext(instant: request.instant, defaultTimeZone: request.defaultTimeZone)
        var columns: CandidateRow?
        while try statement.step() {
            let row = columns ?? CandidateRow(statement)
            columns = row
            let member = MemberRow(statement)
            let zone = zones.zone(named: member.profile.timeZone)
            let pointsBalance = row.integer("points_balance")
            var candidate = TriggerCandidate(
                member: CandidateMember(key: member.key, id: member.id, profile: member.profile,
                                        totalSpent: member.totalSpent, pointsBalance: pointsBalance, timeZone: zone,
                                        locale: member.profile.locale ?? request.defaultLocale),
                occurrenceKey: "")
            if let kinds = row.text("suppressed_kinds") {
                candidate.member.suppressedKinds = Set(kinds.split(separator: ",").compactMap { ChannelKind(rawValue: String($0)) })
            }
            if let problem = member.dataProblem ?? MemberRow.pointsProblem(pointsBalance, "points balance") {
                // Evaluated no further (its values could not be trusted in date arithmetic):
                // suppressed as invalid_data, once per trigger and member.
                candidate.dataProblem = problem
            } else if !source.read(row, member: member, zone: zone, context: context, into: &candidate) {
                continue
            }
            try body(candidate)
        }
    }
}
