import Foundation
import HeraldCore

/// SPEC 2's condition for one trigger at instant T, as one SQL query over the store's
/// indexes (listed in docs/store.md), plus the little the index cannot say (a birthday on
/// the member's own local date; custom activity events), checked per row in Swift.
///
/// Derived state (last activity, balance, points remaining) is the state after every
/// ingested event; carts and events are read as of T.
public struct CandidateQuery {
    public let trigger: Trigger
    public let instant: Date
    public let sql: String
    public let parameters: [SQLiteValue]
    let defaultTimeZone: TimeZone
    let defaultLocale: String

    /// Restricting to one member (`preview --member`) keeps every other part of the query.
    /// `withSuppressedAddresses`: probe the suppression list per candidate (pointless, and
    /// skipped, while it is empty).
    public init(trigger: Trigger, at instant: Date, defaultTimeZone: TimeZone, defaultLocale: String, memberID: String? = nil,
                withPointsBalance: Bool, withSuppressedAddresses: Bool = true) {
        self.trigger = trigger
        self.instant = instant
        self.defaultTimeZone = defaultTimeZone
        self.defaultLocale = defaultLocale
        let t = instant.epochSeconds
        var select = MemberRow.columns
        var selectParameters: [SQLiteValue] = []
        if withPointsBalance {
            // total() never raises SQLite's integer overflow (sum() does): one member's absurd lots
            // must not fail the query for everyone; the cast saturates at the 64-bit limits.
            select += ", (SELECT CAST(total(p.remaining) AS INTEGER) FROM points_lots p "
                + "WHERE p.member_key = m.key AND p.expires_at > ?)"
            selectParameters.append(.integer(t))
        } else {
            select += ", NULL"
        }
        // Kinds whose address a provider reported as never reachable (SPEC 7): a probe of the
        // suppression list's key per address.
        select += withSuppressedAddresses
            ? ", (SELECT group_concat(a.kind) FROM address_suppressions a WHERE a.address IN (m.phone, m.email, m.push_token))"
            : ", NULL"
        let memberTables = "members m LEFT JOIN member_state s ON s.member_key = m.key"
        var from: String
        var conditions: [String] = []
        var parameters: [SQLiteValue] = []
        var order = "m.id"
        switch trigger.kind {
        case .birthday(let daysBefore):
            from = memberTables
            let pairs = BirthdayRule.candidateMonthDays(at: instant, daysBefore: daysBefore)
            conditions.append("(" + pairs.map { _ in "(m.birth_month = ? AND m.birth_day = ?)" }.joined(separator: " OR ") + ")")
            for pair in pairs { parameters += [.integer(Int64(pair.month)), .integer(Int64(pair.day))] }
        case .inactivity(let days, let maxDays, let activityEvents):
            from = "member_state s JOIN members m ON m.key = s.member_key"
            conditions.append("s.last_activity_at <= ?")
            parameters.append(.integer(t - Int64(days) * 86_400))
            if activityEvents.isEmpty {
                select += ", s.last_activity_at"
                if let maxDays {
                    conditions.append("s.last_activity_at > ?")
                    parameters.append(.integer(t - Int64(maxDays) * 86_400))
                }
            } else {
                // Custom activity can only make the last activity later: the index still bounds
                // it from above; the exact test runs per row.
                select += ", max(s.last_activity_at, coalesce((SELECT max(e.at) FROM events e WHERE e.member_key = m.key AND e.type IN (\(Self.marks(activityEvents.count))) AND e.at <= ?), 0))"
                selectParameters += activityEvents.map(SQLiteValue.text) + [.integer(t)]
            }
        case .cartAbandonment(let after, let within, let categories):
            from = "events e JOIN members m ON m.key = e.member_key LEFT JOIN member_state s ON s.member_key = m.key"
            select += ", e.id, e.sku, e.category"
            func inCategories(_ alias: String) -> String {
                categories.isEmpty ? "" : " AND \(alias).category IN (\(Self.marks(categories.count)))"
            }
            let categoryValues = categories.map(SQLiteValue.text)
            conditions.append("e.type = 'cart_add' AND e.at >= ? AND e.at <= ?" + inCategories("e"))
            parameters += [.integer(t - within.seconds), .integer(t - after.seconds)] + categoryValues
            conditions.append("""
                NOT EXISTS (SELECT 1 FROM events l WHERE l.member_key = e.member_key AND l.type = 'cart_add' AND l.at <= ? \
                AND (l.at > e.at OR (l.at = e.at AND l.key > e.key))\(inCategories("l")))
                """)
            parameters += [.integer(t)] + categoryValues
            conditions.append("""
                NOT EXISTS (SELECT 1 FROM events p WHERE p.member_key = e.member_key AND p.type = 'purchase' \
                AND p.at > e.at AND p.at <= ?)
                """)
            parameters.append(.integer(t))
            order = "m.id, e.at, e.key"
        case .lowBalance(let below):
            from = "member_state s JOIN members m ON m.key = s.member_key"
            conditions.append("s.stored_value >= 0 AND s.stored_value < ?")
            parameters.append(.integer(below.fen))
        case .pointsExpiry(let withinDays, let minPoints):
            from = """
                (SELECT member_key, CAST(total(remaining) AS INTEGER) AS expiring, min(expires_at) AS first_expiry \
                FROM points_lots WHERE remaining > 0 AND expires_at > ? AND expires_at <= ? \
                GROUP BY member_key HAVING total(remaining) >= ?) x \
                JOIN members m ON m.key = x.member_key LEFT JOIN member_state s ON s.member_key = m.key
                """
            select += ", x.expiring, x.first_expiry"
            parameters += [.integer(t), .integer(t + Int64(withinDays) * 86_400), .integer(Int64(minPoints))]
        case .event(let type, let filter, let delay, let within):
            from = "events e JOIN members m ON m.key = e.member_key LEFT JOIN member_state s ON s.member_key = m.key"
            select += ", e.id, e.amount, e.sku, e.category"
            conditions.append("e.type = ? AND e.at >= ? AND e.at <= ?")
            parameters += [.text(type), .integer(t - delay.seconds - within.seconds), .integer(t - delay.seconds)]
            if let filter {
                let compiled = EventFilterSQL(filter)
                conditions.append(compiled.sql)
                parameters += compiled.parameters
            }
            order = "m.id, e.at, e.key"
        }
        if let memberID {
            conditions.append("m.id = ?")
            parameters.append(.text(memberID))
        }
        sql = "SELECT \(select) FROM \(from) WHERE \(conditions.isEmpty ? "1" : conditions.joined(separator: " AND ")) ORDER BY \(order)"
        self.parameters = selectParameters + parameters
    }

    static func marks(_ count: Int) -> String { Array(repeating: "?", count: count).joined(separator: ", ") }

    /// The query with its parameters written in as literals, for the `sqlite3` shell (the
    /// benchmark's baseline runs exactly what Herald runs).
    public var literalSQL: String {
        var output = ""
        var values = parameters.makeIterator()
        for character in sql {
            guard character == "?", let value = values.next() else {
                output.append(character)
                continue
            }
            switch value {
            case .null: output += "NULL"
            case .integer(let integer): output += String(integer)
            case .real(let real): output += String(real)
            case .text(let text): output += "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
            }
        }
        return output
    }
}
