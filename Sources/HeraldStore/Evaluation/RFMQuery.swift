import Foundation
import HeraldCore

/// RFM's cut points at an instant: every member's purchases in the lookback year folded per
/// member, ranked per part, and the values at ranks ⌈k·n/5⌉ (k = 1…4) read off — one grouped
/// pass over the purchases in the year (`events_type_at`), done by the database, so Herald's
/// memory does not grow with the member base.
struct RFMQuery {
    let instant: Date

    func scores(in database: any SQLDatabase) throws -> RFMScores {
        let dialect = database.dialect
        let parts: [(RFMScores.Part, String)] = [(.recency, "r"), (.frequency, "f"), (.monetary, "m")]
        let cuts = parts.flatMap { _, column in
            (1...4).map { k in "max(CASE WHEN rank_\(column) = (\(k) * n + 4) / 5 THEN \(column) END)" }
        }
        let statement = try database.prepare("""
            WITH per_member AS (
                SELECT max(at) AS r, count(*) AS f, \(dialect.saturatingSum("amount")) AS m
                FROM events WHERE type = ? AND at > ? AND at <= ? AND member_key IS NOT NULL
                GROUP BY member_key),
            ranked AS (
                SELECT r, f, m, count(*) OVER () AS n,
                    row_number() OVER (ORDER BY r) AS rank_r,
                    row_number() OVER (ORDER BY f) AS rank_f,
                    row_number() OVER (ORDER BY m) AS rank_m
                FROM per_member)
            SELECT max(n), \(cuts.joined(separator: ", ")) FROM ranked
            """)
        let now = instant.epochSeconds
        try statement.bind([.text(EventType.purchase.rawValue), .integer(now - Int64(RFMScores.lookbackDays) * 86_400),
                            .integer(now)])
        guard try statement.step(), let buyers = statement.integer(at: 0), buyers > 0 else {
            return RFMScores(buyers: 0, cutPoints: [:])
        }
        var cutPoints: [RFMScores.Part: [Int64]] = [:]
        for (index, (part, _)) in parts.enumerated() {
            cutPoints[part] = (0..<4).map { statement.integer(at: Int32(1 + index * 4 + $0)) ?? 0 }
        }
        return RFMScores(buyers: Int(buyers), cutPoints: cutPoints)
    }
}
