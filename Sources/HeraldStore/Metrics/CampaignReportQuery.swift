import Foundation
import HeraldCore

/// The campaign sheet (SPEC 6) straight from the store: three grouped passes — sends, held-out
/// members, suppressions — each over the report's days only, and nothing held in memory but
/// the rows themselves.
///
/// Clicks, redeems, receipts and purchases were tied to their send (and purchases to held-out
/// occurrences) at ingest (`SendAttribution`), so a send's funnel and its lift are read off its
/// own row: no probe into the events.
public struct CampaignReportQuery: Sendable {
    public var period: ReportPeriod
    public var grouping: ReportGrouping
    /// Only this trigger; nil for all.
    public var triggerID: String?
    /// The catalog's goals by trigger id: those triggers' rows get conversions, revenue and a
    /// lift measured on the goal.
    public var goals: [String: TriggerGoal]

    public init(period: ReportPeriod = ReportPeriod(), grouping: ReportGrouping = .trigger, triggerID: String? = nil,
                goals: [String: TriggerGoal] = [:]) {
        self.period = period
        self.grouping = grouping
        self.triggerID = triggerID
        self.goals = goals
    }

    /// Rows ordered by trigger id then group; `triggerIDs` get a row each even without data,
    /// so a quiet period reads as zeros (with `--by trigger`).
    func rows(in store: SQLStore, including triggerIDs: [String] = []) throws -> [CampaignReportRow] {
        var rows: [RowKey: CampaignReportRow] = [:]
        func addRow(_ key: RowKey) {
            if rows[key] == nil { rows[key] = CampaignReportRow(triggerID: key.triggerID, group: key.group) }
        }
        if grouping == .trigger {
            for id in triggerIDs where triggerID == nil || id == triggerID { addRow(RowKey(triggerID: id, group: nil)) }
        }
        let database = store.database
        let dialect = database.dialect
        let sends = try database.prepare(sendsSQL(dialect))
        try sends.bind(bounds)
        while try sends.step() {
            let key = RowKey(triggerID: sends.text(at: 0) ?? "", group: sends.text(at: 1))
            let count = { (column: Int32) in Int(sends.integer(at: column) ?? 0) }
            var row = rows[key] ?? CampaignReportRow(triggerID: key.triggerID, group: key.group)
            row.planned = count(2)
            row.sent = count(3)
            row.delivered = count(4)
            row.failed = count(5)
            row.pending = count(6)
            row.expired = count(7)
            row.cancelled = count(8)
            row.reached = count(9)
            row.clicked = count(10)
            row.redeemed = count(11)
            row.lift.treated = .init(successes: count(13), trials: count(12))
            row.costMillifen = sends.integer(at: 14) ?? 0
            row.pricedSends = count(15)
            rows[key] = row
        }
        // Held-out and suppressed members, per trigger (and day when rows are per day).
        var controls: [RowKey: (heldOut: Int, control: ProportionDifference.Group)] = [:]
        let heldOut = try database.prepare(heldOutSQL(dialect))
        try heldOut.bind(bounds)
        while try heldOut.step() {
            let key = RowKey(triggerID: heldOut.text(at: 0) ?? "", group: heldOut.text(at: 1))
            controls[key] = (Int(heldOut.integer(at: 2) ?? 0),
                             .init(successes: Int(heldOut.integer(at: 4) ?? 0), trials: Int(heldOut.integer(at: 3) ?? 0)))
        }
        var suppressions: [RowKey: [SuppressionReason: Int]] = [:]
        let suppressed = try database.prepare(suppressedSQL(dialect))
        try suppressed.bind(bounds)
        while try suppressed.step() {
            let key = RowKey(triggerID: suppressed.text(at: 0) ?? "", group: suppressed.text(at: 1))
            if let reason = SuppressionReason(rawValue: suppressed.text(at: 2) ?? "") {
                suppressions[key, default: [:]][reason] = Int(suppressed.integer(at: 3) ?? 0)
            }
        }
        if grouping.carriesControlColumns {
            // Held-out and suppressed members make a row of their own when nothing was planned.
            for key in Set(controls.keys).union(suppressions.keys) { addRow(key) }
        }
        for key in Array(rows.keys) {
            let controlKey = RowKey(triggerID: key.triggerID, group: grouping.splitsControlGroup ? key.group : nil)
            let control = controls[controlKey]
            rows[key]!.lift.control = control?.control ?? .init(successes: 0, trials: 0)
            if grouping.carriesControlColumns {
                rows[key]!.heldOut = control?.heldOut ?? 0
                rows[key]!.suppressed = suppressions[controlKey] ?? [:]
            }
        }
        for (goalTrigger, goal) in goals.sorted(by: { $0.key < $1.key }) where triggerID == nil || triggerID == goalTrigger {
            try addGoal(goal, of: goalTrigger, to: &rows, in: database)
        }
        return rows.values.sorted { ($0.triggerID, $0.group ?? "") < ($1.triggerID, $1.group ?? "") }
    }

    /// A goal's three counts, each one grouped pass joining the trigger's sends (or held-out
    /// occurrences) in the period to the goal events of the same member in the window after
    /// them (`events(member_key, type, at)`): converted members and revenue after reached
    /// sends, converted members among everyone planned (the lift's treated side), and among
    /// the held out (its control side). A goal event within two sends' windows counts once.
    private func addGoal(_ goal: TriggerGoal, of trigger: String, to rows: inout [RowKey: CampaignReportRow],
                         in database: any SQLDatabase) throws {
        let dialect = database.dialect
        let compiled = goal.filter.map { EventFilterSQL($0, dialect) }
        let goalJoin = "JOIN events e ON e.member_key = x.member_key AND e.type = ?4 AND e.at >= x.scheduled_at "
            + "AND e.at < x.scheduled_at + ?5" + (compiled.map { " AND " + $0.sql } ?? "")
        let parameters = [SQLValue.text(period.sinceText), .text(period.untilText), .text(trigger), .text(goal.event),
                          .integer(goal.within.seconds)] + (compiled?.parameters ?? [])
        let periodFilter = filter(dialect).replacingOccurrences(of: "trigger_id", with: "x.trigger_id")
            .replacingOccurrences(of: "local_day", with: "x.local_day")
        func run(_ sql: String, _ body: (String?, Int, Int64) -> Void) throws {
            let statement = try database.prepare(sql)
            try statement.bind(parameters)
            while try statement.step() {
                body(statement.text(at: 0), Int(statement.integer(at: 1) ?? 0), statement.integer(at: 2) ?? 0)
            }
        }
        let group = sendGroup == "NULL" ? "NULL" : "x.\(sendGroup)"
        for key in rows.keys where key.triggerID == trigger {
            rows[key]!.goalConverted = 0
            rows[key]!.revenueFen = 0
            rows[key]!.lift.treated.successes = 0
            rows[key]!.lift.control.successes = 0
        }
        try run("""
            SELECT grp, count(DISTINCT member_key), \(dialect.saturatingSum("amount")) FROM (
                SELECT DISTINCT \(group) AS grp, e.member_key, e.key, e.amount FROM outbox x \(goalJoin)
                WHERE \(periodFilter) AND x.trigger_id = ?3 AND x.status IN ('sent', 'delivered')) AS converted
            GROUP BY grp
            """) { grp, members, revenue in
            rows[RowKey(triggerID: trigger, group: grp)]?.goalConverted = members
            rows[RowKey(triggerID: trigger, group: grp)]?.revenueFen = revenue
        }
        try run("""
            SELECT \(group), count(DISTINCT x.member_key), 0 FROM outbox x \(goalJoin)
            WHERE \(periodFilter) AND x.trigger_id = ?3 GROUP BY 1
            """) { grp, members, _ in
            rows[RowKey(triggerID: trigger, group: grp)]?.lift.treated.successes = members
        }
        let controlGroup = grouping.splitsControlGroup ? "x.local_day" : "NULL"
        try run("""
            SELECT \(controlGroup), count(DISTINCT x.member_key), 0 FROM occurrences x \(goalJoin)
            WHERE x.outcome = 'held_out' AND \(periodFilter) AND x.trigger_id = ?3 GROUP BY 1
            """) { grp, members, _ in
            for key in rows.keys where key.triggerID == trigger && (!grouping.splitsControlGroup || key.group == grp) {
                rows[key]!.lift.control.successes = members
            }
        }
    }

    /// The three statements with the period and trigger written in as literals: what the
    /// benchmark hands the `sqlite3` (or `psql`) shell as its baseline.
    @_spi(StoreSQL) public func statementsWithLiterals(_ dialect: SQLDialect = .sqlite) -> [String] {
        let trigger = triggerID.map { "'" + $0.replacingOccurrences(of: "'", with: "''") + "'" } ?? "NULL"
        return [sendsSQL(dialect), heldOutSQL(dialect), suppressedSQL(dialect)].map {
            $0.replacingOccurrences(of: "?1", with: "'\(period.sinceText)'")
                .replacingOccurrences(of: "?2", with: "'\(period.untilText)'").replacingOccurrences(of: "?3", with: trigger)
        }
    }

    private struct RowKey: Hashable {
        var triggerID: String
        var group: String?
    }

    private var bounds: [SQLValue] {
        [.text(period.sinceText), .text(period.untilText), .optional(triggerID)]
    }

    private var sendGroup: String {
        switch grouping {
        case .trigger: "NULL"
        case .day: "local_day"
        case .channel: "channel"
        case .variant: "variant"
        }
    }

    /// Held-out and suppressed members' group: their day, or the whole trigger.
    private var controlGroup: String { grouping.splitsControlGroup ? "local_day" : "NULL" }

    /// An open period scans the table (the day index would cost one random row read per
    /// send); a bounded one goes through the day index.
    private func filter(_ dialect: SQLDialect) -> String {
        let day = period.since == nil && period.until == nil ? dialect.withoutIndex("local_day") : "local_day"
        return "\(day) >= ?1 AND \(day) <= ?2 AND (CAST(?3 AS TEXT) IS NULL OR trigger_id = ?3)"
    }

    /// Sends folded per member first, so that distinct members cost one sort, not one per column.
    private func sendsSQL(_ dialect: SQLDialect) -> String {
        func count(_ condition: String) -> String { dialect.sum(dialect.asInteger(condition)) }
        func any(_ condition: String) -> String { "max(\(dialect.asInteger(condition)))" }
        return """
        WITH per_member AS (
            SELECT trigger_id, \(sendGroup) AS grp, member_key,
                count(*) AS planned,
                \(count("status IN ('sent', 'delivered') OR receipt = 'undelivered'")) AS sent,
                \(count("status = 'delivered'")) AS delivered,
                \(count("status = 'failed'")) AS failed,
                \(count("status IN ('pending', 'sending')")) AS pending,
                \(count("status = 'expired'")) AS expired,
                \(count("status = 'cancelled'")) AS cancelled,
                \(any("status IN ('sent', 'delivered')")) AS reached,
                \(any("clicked_at IS NOT NULL")) AS clicked,
                \(any("redeemed_at IS NOT NULL")) AS redeemed,
                \(any("purchased_at IS NOT NULL")) AS purchased,
                \(dialect.saturatingSum("cost_millifen")) AS cost,
                count(cost_millifen) AS priced
            FROM outbox o WHERE \(filter(dialect))
            GROUP BY trigger_id, grp, member_key)
        SELECT trigger_id, grp, \(["planned", "sent", "delivered", "failed", "pending", "expired", "cancelled", "reached",
                                  "clicked", "redeemed"].map(dialect.sum).joined(separator: ", ")),
            count(*), \(dialect.sum("purchased")), \(dialect.saturatingSum("cost")), \(dialect.sum("priced"))
        FROM per_member GROUP BY trigger_id, grp
        """
    }

    private func heldOutSQL(_ dialect: SQLDialect) -> String {
        """
        WITH per_member AS (
            SELECT trigger_id, \(controlGroup) AS grp, member_key,
                count(*) AS occurrences, max(\(dialect.asInteger("purchased_at IS NOT NULL"))) AS purchased
            FROM occurrences h WHERE outcome = 'held_out' AND \(filter(dialect))
            GROUP BY trigger_id, grp, member_key)
        SELECT trigger_id, grp, \(dialect.sum("occurrences")), count(*), \(dialect.sum("purchased"))
        FROM per_member GROUP BY trigger_id, grp
        """
    }

    /// An occurrence planned or held out after being suppressed counts by its final outcome.
    private func suppressedSQL(_ dialect: SQLDialect) -> String {
        """
        SELECT trigger_id, \(controlGroup), reason, count(*)
        FROM suppressions s WHERE \(filter(dialect))
            AND NOT EXISTS (SELECT 1 FROM occurrences o WHERE o.trigger_id = s.trigger_id
                            AND o.member_key = s.member_key AND o.occurrence_key = s.occurrence_key)
        GROUP BY 1, 2, 3
        """
    }
}
