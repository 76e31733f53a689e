import Foundation
import HeraldCore

/// A trigger kind's store side: its share of the candidate query and the reading of the
/// columns it adds. Each kind's definition type conforms in `Kinds/<Kind>+Candidates.swift`.
protocol CandidateSource {
    func queryParts(_ context: CandidateQueryContext) -> CandidateQueryParts

    /// Reads the kind's named columns into `candidate`: the occurrence key and the values the
    /// kind supplies to templates, or a `dataProblem`. False when the row turns out not to be
    /// a candidate after all (a birthday on another local date, activity too recent).
    func read(_ row: CandidateRow, member: MemberRow, zone: TimeZone, context: CandidateQueryContext,
              into candidate: inout TriggerCandidate) -> Bool
}

extension TriggerKind {
    /// The kind's store side; exhaustive, so a new kind without one does not compile.
    var candidateSource: any CandidateSource {
        switch self {
        case .birthday(let kind): kind
        case .inactivity(let kind): kind
        case .cartAbandonment(let kind): kind
        case .lowBalance(let kind): kind
        case .pointsExpiry(let kind): kind
        case .event(let kind): kind
        }
    }
}

/// What every kind's query is built against: the evaluation instant and the store's defaults.
struct CandidateQueryContext {
    var instant: Date
    var defaultTimeZone: TimeZone
    /// T in epoch seconds, as the store keeps instants.
    var t: Int64 { instant.epochSeconds }
}

/// One kind's share of a candidate query, in the order its placeholders appear in the SQL:
/// its columns (each `expression AS name`), its tables, its conditions.
struct CandidateQueryParts {
    /// Tables after FROM; `m` (members) and `s` (member_state) must be among them.
    var from: String
    var fromParameters: [SQLiteValue] = []
    /// `expression AS name`, read back by name.
    var columns: [String] = []
    var columnParameters: [SQLiteValue] = []
    var conditions: [String] = []
    var conditionParameters: [SQLiteValue] = []
    /// A unique order: members by id, a member's events by time.
    var order = "m.id"
    /// The member's key from the kind's driving table: probes on it (run's anti-joins) are
    /// answered before the wide members row is read.
    var memberKey = "m.key"
    /// The occurrence key as an SQL expression over the query's tables, when SQL can compute it
    /// exactly as Swift does; run's ticks then leave recorded occurrences out in the query.
    /// Nil keeps every candidate (the policy still finds the duplicates).
    var occurrenceKey: String?
    var occurrenceKeyParameters: [SQLiteValue] = []

    static let memberTables = "members m LEFT JOIN member_state s ON s.member_key = m.key"

    /// SQLite's spelling of `InstantFormatter.utcString` for an epoch-seconds expression.
    static func utcString(_ expression: String) -> String {
        "strftime('%Y-%m-%dT%H:%M:%SZ', \(expression), 'unixepoch')"
    }
}
