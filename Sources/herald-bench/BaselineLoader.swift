import Foundation
@_spi(StoreSQL) import HeraldStore

/// The baseline: the same rows Herald stores, loaded by the `sqlite3` shell's `.import`
/// into a store with Herald's own schema and indexes, under the same pragmas.
///
/// `.import` writes empty fields as '' rather than NULL, so rows go through a staging
/// table and one `INSERT … SELECT nullif(…)` — the idiomatic shell bulk load, with NULLs
/// (and partial indexes) exactly as Herald has them.
enum BaselineLoader {
    static let memberColumns = [
        "key", "id", "name", "phone", "email", "push_token", "birth_year", "birth_month", "birth_day", "timezone", "locale",
        "tier", "region", "registration_channel", "registered_at", "last_active_at", "tags", "consent_sms", "consent_push",
        "consent_email",
    ]
    static let stateColumns = ["member_key", "last_event_at", "last_activity_at", "stored_value", "imported_stored_value",
                               "last_topup_at", "total_spent"]
    static let eventColumns = ["key", "id", "member_key", "type", "at", "amount", "sku", "category", "reference", "payload",
                               "ingested_at"]

    static let pragmas = [
        "PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL", "PRAGMA foreign_keys = ON",
        "PRAGMA cache_size = -65536", "PRAGMA temp_store = MEMORY",
    ]

    /// Creates an empty store with Herald's schema (through Herald's own migrations).
    static func createStore(at path: String) throws {
        _ = try SQLStore(path: path)
    }

    static func memberCommands(folder: String) -> [String] {
        pragmas + [
            ".import --csv \(folder)/members.table.csv members_staging",
            ".import --csv \(folder)/member_state.table.csv member_state_staging",
            ".import --csv \(folder)/member_tags.table.csv member_tags_staging",
            "BEGIN IMMEDIATE",
            insert("members", memberColumns, from: "members_staging"),
            insert("member_state", stateColumns, from: "member_state_staging"),
            insert("member_tags", ["member_key", "tag"], from: "member_tags_staging"),
            "COMMIT",
        ]
    }

    static func eventCommands(folder: String) -> [String] {
        pragmas + [
            ".import --csv \(folder)/events.table.csv events_staging",
            "BEGIN IMMEDIATE",
            insert("events", eventColumns, from: "events_staging"),
            "COMMIT",
        ]
    }

    /// What the loads leave behind.
    static let dropStaging = ["DROP TABLE IF EXISTS members_staging", "DROP TABLE IF EXISTS member_tags_staging",
                              "DROP TABLE IF EXISTS member_state_staging", "DROP TABLE IF EXISTS events_staging"]

    private static func insert(_ table: String, _ columns: [String], from staging: String) -> String {
        "INSERT OR IGNORE INTO \(table) (\(columns.joined(separator: ", "))) SELECT "
            + columns.map { "nullif(\($0), '')" }.joined(separator: ", ") + " FROM \(staging)"
    }
}
