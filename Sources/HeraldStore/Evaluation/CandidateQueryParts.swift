import Foundation
import HeraldCore

/// One kind's share of a candidate query, in the order its placeholders appear in the SQL:
/// its columns (each `expression AS name`), its tables, its conditions.
struct CandidateQueryParts {
    /// Tables after FROM; `m` (members) and `s` (member_state) must be among them.
    var from: String
    var fromParameters: [SQLValue] = []
    /// `expression AS name`, read back by name.
    var columns: [String] = []
    var columnParameters: [SQLValue] = []
    var conditions: [String] = []
    var conditionParameters: [SQLValue] = []
    /// A unique order: members by id, a member's events by time.
    var order = "m.id"
    /// The member's key from the kind's driving table: probes on it (run's anti-joins) are
    /// answered before the wide members row is read.
    var memberKey = "m.key"
    /// The occurrence key as an SQL expression over the query's tables, when SQL can compute it
    /// exactly as Swift does; run's ticks then leave recorded occurrences out in the query.
    /// Nil keeps every candidate (the policy still finds the duplicates).
    var occurrenceKey: String?
    var occurrenceKeyParameters: [SQLValue] = []

    static let memberTables = "members m LEFT JOIN member_state s ON s.member_key = m.key"
}
