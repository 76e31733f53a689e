@_spi(StoreSQL) import HeraldStore

/// Everything a store holds about members and events, as text in a fixed order, minus
/// bookkeeping that differs between two runs of the same input (`ingested_at`).
/// Two stores with equal dumps hold the same data.
public enum StoreDump {
    @_spi(StoreSQL) public static func of(_ store: SQLStore) throws -> String {
        let queries = [
            "SELECT * FROM members ORDER BY id",
            "SELECT m.id, s.* FROM member_state s JOIN members m ON m.key = s.member_key ORDER BY m.id",
            "SELECT m.id, t.tag FROM member_tags t JOIN members m ON m.key = t.member_key ORDER BY m.id, t.tag",
            """
            SELECT e.id, m.id, e.type, e.at, e.amount, e.sku, e.category, e.reference, e.payload
            FROM events e LEFT JOIN members m ON m.key = e.member_key ORDER BY e.id
            """,
            """
            SELECT m.id, e.id, l.points, l.remaining, l.earned_at, l.expires_at
            FROM points_lots l JOIN members m ON m.key = l.member_key JOIN events e ON e.key = l.event_key ORDER BY e.id
            """,
        ]
        var lines: [String] = []
        for sql in queries {
            let statement = try store.database.prepare(sql)
            while try statement.step() {
                let fields = (0..<statement.columnCount).map { statement.text(at: $0) ?? "NULL" }
                lines.append(fields.joined(separator: "|"))
            }
            lines.append("--")
        }
        return lines.joined(separator: "\n")
    }
}
