import Foundation
import HeraldCore

extension CandidateQuery {
    /// Runs the query and hands each candidate to `body`, memory staying flat however many
    /// members match: the rows come a page at a time (`SQLDatabase.forEachPage`), and `body`
    /// sees a page's candidates only once no read is open, so it may write through this
    /// connection (run's outbox writer commits while candidates are still coming).
    func forEachCandidate(in store: SQLStore, zones: TimeZoneResolver,
                          _ body: (TriggerCandidate) throws -> Void) throws {
        let reader = CandidateReader(query: self, zones: zones, cipher: store.cipher)
        var columns: CandidateColumns?
        var candidates: [TriggerCandidate] = []
        try store.database.forEachPage(of: sql, parameters, pageSize: store.candidatePageSize, readRow: { row in
            let named = columns ?? CandidateColumns(row)
            columns = named
            if let candidate = reader.candidate(from: CandidateRow(statement: row, columns: named)) {
                candidates.append(candidate)
            }
        }, pageDone: {
            for candidate in candidates { try body(candidate) }
            candidates.removeAll(keepingCapacity: true)
        })
    }
}

/// Turns one row of a candidate query (or of its materialized copy: same columns, same
/// names) into a candidate.
private struct CandidateReader {
    let query: CandidateQuery
    let zones: TimeZoneResolver
    let source: any CandidateSource
    let context: CandidateQueryContext
    /// Opens sealed names and addresses (nil: a store without keys).
    let cipher: StoreCipher?

    init(query: CandidateQuery, zones: TimeZoneResolver, cipher: StoreCipher?) {
        self.cipher = cipher
        self.query = query
        self.zones = zones
        source = query.trigger.kind.candidateSource
        context = query.context
    }

    /// Nil when the row turns out not to be a candidate (a birthday on another local date).
    func candidate(from row: CandidateRow) -> TriggerCandidate? {
        let member = MemberRow(row.statement, cipher: cipher)
        let zone = zones.zone(named: member.profile.timeZone)
        let pointsBalance = row.integer("points_balance")
        var candidate = TriggerCandidate(
            member: CandidateMember(key: member.key, id: member.id, profile: member.profile,
                                    totalSpent: member.totalSpent, pointsBalance: pointsBalance, timeZone: zone,
                                    locale: member.profile.locale ?? query.request.defaultLocale),
            occurrenceKey: "")
        candidate.member.behaviour = query.behaviour.values(row, zone: zone, instant: context.instant)
        if let kinds = row.text("suppressed_kinds") {
            candidate.member.suppressedKinds = Set(kinds.split(separator: ",")
                .compactMap { ChannelKind(rawValue: String($0)) })
        }
        if let problem = member.dataProblem ?? MemberRow.pointsProblem(pointsBalance, "points balance") {
            // Evaluated no further (its values could not be trusted in date arithmetic):
            // suppressed as invalid_data, once per trigger and member.
            candidate.dataProblem = problem
        } else if !source.read(row, member: member, zone: zone, context: context, into: &candidate) {
            return nil
        }
        return candidate
    }
}
