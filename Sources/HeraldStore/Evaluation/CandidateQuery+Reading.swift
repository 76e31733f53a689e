import Foundation
import HeraldCore

extension CandidateQuery {
    /// Runs the query and hands each candidate to `body`, memory staying flat however many
    /// members match.
    ///
    /// On a read-only connection (`preview`) rows stream straight from the query. On a
    /// writing one (`run`, whose outbox writer commits on this connection while candidates are
    /// still coming) the query is first copied into a temporary table and read back a page at
    /// a time: no read of the store stays open across the writer's commits, so its snapshot
    /// does not pin the WAL (which would then grow by every page each commit rewrites) and a
    /// commit never meets a pending read.
    func forEachCandidate(in store: SQLiteStore, zones: TimeZoneResolver,
                          _ body: (TriggerCandidate) throws -> Void) throws {
        let database = store.database
        let reader = CandidateReader(query: self, zones: zones)
        guard !database.isReadOnly else {
            let statement = try database.prepare(sql)
            try statement.bind(parameters)
            let columns = CandidateColumns(statement)
            while try statement.step() {
                if let candidate = reader.candidate(from: CandidateRow(statement: statement, columns: columns)) {
                    try body(candidate)
                }
            }
            return
        }
        // On disk, not in memory: a tick at 10M members may have millions of candidates. A copy
        // left by a tick that failed half-way goes first.
        try store.keepTemporaryTablesOnDisk()
        try database.execute("DROP TABLE IF EXISTS temp.candidates")
        let copy = try database.prepare("CREATE TEMP TABLE candidates AS " + sql)
        try copy.bind(parameters)
        _ = try copy.step()
        defer { try? database.execute("DROP TABLE IF EXISTS temp.candidates") }
        // A fresh table numbers its rows 1, 2, … in the query's order.
        let page = try database.prepare("SELECT * FROM temp.candidates WHERE rowid > ? ORDER BY rowid LIMIT ?")
        let columns = CandidateColumns(page)
        let pageSize = max(1, store.candidatePageSize)
        var last: Int64 = 0
        while true {
            try page.bind([.integer(last), .integer(Int64(pageSize))])
            var candidates: [TriggerCandidate] = []
            var rows = 0
            while try page.step() {
                rows += 1
                if let candidate = reader.candidate(from: CandidateRow(statement: page, columns: columns)) {
                    candidates.append(candidate)
                }
            }
            page.reset()
            last += Int64(rows)
            for candidate in candidates { try body(candidate) }
            if rows < pageSize { return }
        }
    }
}

/// Turns one row of a candidate query (or of its materialized copy: same columns, same
/// names) into a candidate.
private struct CandidateReader {
    let query: CandidateQuery
    let zones: TimeZoneResolver
    let source: any CandidateSource
    let context: CandidateQueryContext

    init(query: CandidateQuery, zones: TimeZoneResolver) {
        self.query = query
        self.zones = zones
        source = query.trigger.kind.candidateSource
        context = query.context
    }

    /// Nil when the row turns out not to be a candidate (a birthday on another local date).
    func candidate(from row: CandidateRow) -> TriggerCandidate? {
        let member = MemberRow(row.statement)
        let zone = zones.zone(named: member.profile.timeZone)
        let pointsBalance = row.integer("points_balance")
        var candidate = TriggerCandidate(
            member: CandidateMember(key: member.key, id: member.id, profile: member.profile,
                                    totalSpent: member.totalSpent, pointsBalance: pointsBalance, timeZone: zone,
                                    locale: member.profile.locale ?? query.request.defaultLocale),
            occurrenceKey: "")
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
