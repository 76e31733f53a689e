import Foundation
import HeraldCore
import HeraldCrypto

/// `herald store rekey`: every sealed or unsealed value re-sealed under the current key, a
/// batch a transaction, while workers keep running (they read both keys meanwhile).
extension SQLStore {
    /// Re-seals in four steps, each in batches of `batchSize` rows a transaction:
    /// 1. each suppression entry not under the current key gains a twin under it (the old entry
    ///    stays, so rows not yet re-sealed still match it);
    /// 2. members' names and addresses; 3. messages' addresses and texts;
    /// 4. the old suppression entries, then the old key ids from `store_keys`.
    /// Stopped at any point, it leaves a store every configured worker reads; run it again to finish.
    public func rekey(batchSize: Int = 1_000, progress: (StoreRekeyReport) -> Void = { _ in }) throws -> StoreRekeyReport {
        guard let cipher else {
            throw StoreUnavailableError(description: "store rekey needs store.key: set it to the new key "
                                        + "(and store.previous_key to the old one, if the store has one)")
        }
        let batch = max(1, min(batchSize, 100_000))
        var report = StoreRekeyReport()
        report.keyID = cipher.current.keyID
        // Values under the current key start with this; it is hex and fixed, safe to write into the SQL.
        let current = StoreCipher.prefix + cipher.current.keyID + ":"
        func stale(_ column: String) -> String {
            "(\(column) IS NOT NULL AND \(column) <> '' AND substr(\(column), 1, \(current.count)) <> '\(current)')"
        }

        // 1. Twins for the suppression list, by address order (keyset: each batch starts after the last).
        let twin = try database.prepare("""
            INSERT INTO address_suppressions (address, kind, reason, provider, outbox_key, created_at)
            VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
            """)
        var after = ""
        while true {
            let added: Int? = try database.withTransaction {
                let rows = try database.prepare("""
                    SELECT address, kind, reason, provider, outbox_key, created_at FROM address_suppressions
                    WHERE address > ? AND \(stale("address")) ORDER BY address LIMIT ?
                    """)
                try rows.bind([.text(after), .integer(Int64(batch))])
                var entries: [[SQLValue]] = []
                while try rows.step() {
                    after = rows.text(at: 0) ?? after
                    entries.append([.optional(storedAddress(try opened(rows.text(at: 0)))), .optional(rows.text(at: 1)),
                                    .optional(rows.text(at: 2)), .optional(rows.text(at: 3)),
                                    .optional(rows.integer(at: 4)), .optional(rows.integer(at: 5))])
                }
                rows.reset()
                guard !entries.isEmpty else { return nil }
                for entry in entries { _ = try twin.run(entry) }
                return entries.count
            }
            guard let added else { break }
            report.suppressions += added
            progress(report)
        }

        // 2 and 3. Members, then messages, by key.
        report.members = try reseal(table: "members", lookupColumns: SealedColumns.members, textColumns: [],
                                    stale: stale, batch: batch) { report.members = $0; progress(report) }
        report.messages = try reseal(table: "outbox", lookupColumns: SealedColumns.outboxLookup,
                                     textColumns: SealedColumns.outboxText,
                                     stale: stale, batch: batch) { report.messages = $0; progress(report) }

        // 4. The old forms of the list, then the old key ids.
        while true {
            let removed = try database.withTransaction {
                try database.prepare("""
                    DELETE FROM address_suppressions WHERE address IN (
                        SELECT address FROM address_suppressions WHERE \(stale("address")) LIMIT ?)
                    """).run([.integer(Int64(batch))])
            }
            guard removed > 0 else { break }
            report.retiredForms += removed
            progress(report)
        }
        // The old ids go only when nothing is under them any more, checked in the same transaction.
        try database.withTransaction {
            let staleMembers = try database.scalarInteger("SELECT count(*) FROM members WHERE "
                + SealedColumns.members.map(stale).joined(separator: " OR ")) ?? 0
            let staleMessages = try database.scalarInteger("SELECT count(*) FROM outbox WHERE "
                + (SealedColumns.outboxLookup + SealedColumns.outboxText).map(stale).joined(separator: " OR ")) ?? 0
            guard staleMembers + staleMessages == 0 else {
                throw StoreUnavailableError(description: "\(staleMembers) members and \(staleMessages) messages were written "
                    + "under an older key while rekey ran (a worker still without this store.key?): restart every worker "
                    + "with store.key and store.previous_key, then run herald store rekey again")
            }
            // Twins written by workers during the last step (each with its current form beside it).
            report.retiredForms += try database.prepare("DELETE FROM address_suppressions WHERE \(stale("address"))").run([])
            var retired: [String] = []
            try database.forEachPage(of: "SELECT key_id FROM store_keys WHERE key_id <> ? ORDER BY key_id",
                                     [.text(cipher.current.keyID)], pageSize: 100,
                                     readRow: { retired.append($0.text(at: 0) ?? "") }, pageDone: {})
            _ = try database.prepare("DELETE FROM store_keys WHERE key_id <> ?").run([.text(cipher.current.keyID)])
            report.retiredKeys = retired
        }
        return report
    }

    /// Re-seals the rows of `table` with any stale value, a batch a transaction (rows locked on
    /// PostgreSQL between reading and writing them); `lookupColumns` sealed for lookup,
    /// `textColumns` at random. Returns the rows re-sealed; `counted` hears the running total.
    private func reseal(table: String, lookupColumns: [String], textColumns: [String],
                        stale: (String) -> String, batch: Int, counted: (Int) -> Void) throws -> Int {
        let columns = lookupColumns + textColumns
        let update = try database.prepare("UPDATE \(table) SET "
            + columns.map { "\($0) = ?" }.joined(separator: ", ") + " WHERE key = ?")
        var total = 0
        var after: Int64 = 0
        while true {
            let done: Int? = try database.withTransaction {
                let rows = try database.prepare("""
                    SELECT key, \(columns.joined(separator: ", ")) FROM \(table)
                    WHERE key > ? AND (\(columns.map(stale).joined(separator: " OR ")))
                    ORDER BY key LIMIT ?\(dialect.forUpdate(of: table))
                    """)
                try rows.bind([.integer(after), .integer(Int64(batch))])
                var updates: [[SQLValue]] = []
                while try rows.step() {
                    let key = rows.integer(at: 0) ?? 0
                    after = key
                    var values: [SQLValue] = []
                    for (index, column) in columns.enumerated() {
                        let plain = try opened(rows.text(at: Int32(index + 1)))
                        values.append(.optional(lookupColumns.contains(column) ? storedAddress(plain) : storedText(plain)))
                    }
                    updates.append(values + [.integer(key)])
                }
                rows.reset()
                guard !updates.isEmpty else { return nil }
                for values in updates { _ = try update.run(values) }
                return updates.count
            }
            guard let done else { return total }
            total += done
            counted(total)
        }
    }
}
