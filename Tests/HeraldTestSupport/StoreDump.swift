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

extension StoreDump {
    /// What `of` shows and what the outbox and occurrences learnt from events (clicks,
    /// redeems, receipts, purchases), without the stores' own keys: two backends that applied
    /// the same input alike have equal portable dumps, whatever keys each handed out.
    @_spi(StoreSQL) public static func portable(_ store: SQLStore) throws -> String {
        let memberColumns = """
            m.id, m.name, m.phone, m.email, m.push_token, m.birth_year, m.birth_month, m.birth_day, m.timezone,
            m.locale, m.tier, m.region, m.registration_channel, m.registered_at, m.last_active_at, m.tags,
            m.consent_sms, m.consent_push, m.consent_email, m.wechat_openid, m.consent_wechat
            """
        let queries = [
            "SELECT \(memberColumns) FROM members m ORDER BY m.id",
            """
            SELECT m.id, s.last_event_at, s.last_activity_at, s.stored_value, s.imported_stored_value, s.last_topup_at,
                s.total_spent FROM member_state s JOIN members m ON m.key = s.member_key ORDER BY m.id
            """,
            "SELECT m.id, t.tag FROM member_tags t JOIN members m ON m.key = t.member_key ORDER BY m.id, t.tag",
            """
            SELECT e.id, m.id, e.type, e.at, e.amount, e.sku, e.category, e.reference, e.payload
            FROM events e LEFT JOIN members m ON m.key = e.member_key ORDER BY e.id
            """,
            """
            SELECT m.id, e.id, l.points, l.remaining, l.earned_at, l.expires_at
            FROM points_lots l JOIN members m ON m.key = l.member_key JOIN events e ON e.key = l.event_key
            ORDER BY e.id, l.expires_at
            """,
            """
            SELECT o.idempotency_key, m.id, o.status, o.clicked_at, o.redeemed_at, o.purchased_at, o.receipt,
                o.receipt_at, o.last_error FROM outbox o JOIN members m ON m.key = o.member_key ORDER BY o.idempotency_key
            """,
            """
            SELECT o.trigger_id, m.id, o.occurrence_key, o.outcome, o.purchased_at
            FROM occurrences o JOIN members m ON m.key = o.member_key ORDER BY o.trigger_id, m.id, o.occurrence_key
            """,
        ]
        var lines: [String] = []
        for sql in queries {
            let statement = try store.database.prepare(sql)
            while try statement.step() {
                lines.append((0..<statement.columnCount).map { statement.text(at: $0) ?? "NULL" }.joined(separator: "|"))
            }
            lines.append("--")
        }
        return lines.joined(separator: "\n")
    }
}
