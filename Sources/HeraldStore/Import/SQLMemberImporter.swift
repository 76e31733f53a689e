import Foundation
import HeraldCore

/// Streams members from CSV or NDJSON into the store: upsert by id, in batched
/// transactions, each bad row reported to the sink while the good rows land.
///
/// A column absent from the file keeps the stored value; a present, empty one clears it.
/// A row identical to the stored member changes nothing and counts as a duplicate, so
/// re-importing a file leaves the store as it was.
@_spi(StoreSQL) public final class SQLMemberImporter: MemberImporter {
    private let store: SQLStore
    private let batchSize: Int
    private var reader: MemberFileReader
    private var upserts: [MemberFieldSet: any SQLStatement] = [:]
    private let deleteTags: any SQLStatement
    private let insertTag: any SQLStatement
    private let upsertState: any SQLStatement
    private let upsertStateWithBalance: any SQLStatement
    private let setStoredValue: any SQLStatement
    private var changedRows = 0
    public var allowsConsentToSuppressedAddresses = false

    public init(store: SQLStore, defaultTimeZone: TimeZone, batchSize: Int = 100_000) throws {
        self.store = store
        deleteTags = try store.database.prepare("DELETE FROM member_tags WHERE member_key = ?")
        let dialect = store.database.dialect
        insertTag = try store.database.prepare("""
            INSERT INTO member_tags (member_key, tag) VALUES (?, ?) ON CONFLICT DO NOTHING
            """)
        upsertState = try store.database.prepare(Self.stateUpsertSQL(settingBalance: false, dialect))
        upsertStateWithBalance = try store.database.prepare(Self.stateUpsertSQL(settingBalance: true, dialect))
        setStoredValue = try store.database.prepare("""
            UPDATE member_state SET stored_value = ?1, imported_stored_value = ?1
            WHERE member_key = (SELECT key FROM members WHERE id = ?2)
                AND \(dialect.isDistinct("imported_stored_value", "?1"))
            """)
        self.batchSize = batchSize
        reader = MemberFileReader(defaultTimeZone: defaultTimeZone)
    }

    /// Throws `Diagnostic` for a file that cannot be imported at all (bad header), and
    /// `InputError` / `SQLiteError` for I/O; row problems go to `sink` instead.
    public func importMembers(from lines: LineReader, format: MemberFileFormat, sink: any RejectedRowSink) throws
        -> ImportSummary {
        reader.consentGuard = try allowsConsentToSuppressedAddresses || !store.hasSuppressedAddresses() ? nil
            : SuppressedConsentGuard(of: store)
        defer { reader.consentGuard = nil }
        let countBefore = try store.database.scalarInteger("SELECT count(*) FROM members") ?? 0
        changedRows = 0
        let transaction = BatchedTransaction(database: store.database, batchSize: batchSize)
        var summary = ImportSummary()
        do {
            try reader.read(lines, format: format, summary: &summary, sink: sink, .init(record: { record in
                try transaction.begin()
                try self.upsert(record)
                try transaction.unitDone()
            }, idle: transaction.commit))
            try transaction.commit()
        } catch {
            transaction.abandon()
            throw error
        }
        let countAfter = try store.database.scalarInteger("SELECT count(*) FROM members") ?? 0
        summary.count(changedRows: changedRows, membersBefore: countBefore, membersAfter: countAfter)
        return summary
    }

    // MARK: Storing

    private func upsert(_ record: MemberRecord) throws {
        let fields = record.providedFields
        let statement = try upserts[fields] ?? makeUpsert(for: fields)
        upserts[fields] = statement
        try statement.bind([.text(record.id)] + fields.fields.flatMap { record.storedValues(of: $0, in: store) })
        let storedValue = record.importedStoredValue

        guard try statement.step(), let memberKey = statement.integer(at: 0) else {
            // The profile is unchanged; only the balance may differ.
            statement.reset()
            if fields.contains(.storedValue) {
                if try setStoredValue.run(.optional(storedValue), .text(record.id)) > 0 { changedRows += 1 }
            }
            return
        }
        // Inserted or changed: recompute last activity from the profile as it is now.
        let profileActivity = [statement.integer(at: 1), statement.integer(at: 2)].compactMap { $0 }.max()
        statement.reset()
        changedRows += 1
        let state = fields.contains(.storedValue) ? upsertStateWithBalance : upsertState
        try state.run(.integer(memberKey), .optional(profileActivity), .optional(storedValue))
        if fields.contains(.tags) { try replaceTags(of: memberKey, with: record.profile.tags) }
    }

    private func replaceTags(of memberKey: Int64, with tags: [String]) throws {
        try deleteTags.run(.integer(memberKey))
        for tag in tags { try insertTag.run(.integer(memberKey), .text(tag)) }
    }

    /// `INSERT … ON CONFLICT(id) DO UPDATE … WHERE <something differs> RETURNING key, …`:
    /// a row comes back only when the member was inserted or its profile really changed.
    private func makeUpsert(for fields: MemberFieldSet) throws -> any SQLStatement {
        let columns = fields.fields.flatMap(\.memberColumns)
        let placeholders = Array(repeating: "?", count: columns.count + 1).joined(separator: ", ")
        let sql = "INSERT INTO members (\((["id"] + columns).joined(separator: ", "))) VALUES (\(placeholders)) "
            + fields.upsertConflictClause(store.database.dialect)
        return try store.database.prepare(sql + " RETURNING key, registered_at, last_active_at")
    }

    /// The state row of an inserted or changed member: last activity is the later of the
    /// profile's instants (?2) and the latest activity event; ?3 is the balance when the file has one.
    /// A balance is a snapshot: it replaces the live balance only when it differs from the last
    /// imported one, so re-importing a file keeps the top-ups and spends ingested since.
    private static func stateUpsertSQL(settingBalance: Bool, _ dialect: SQLDialect) -> String {
        """
        INSERT INTO member_state (member_key, last_activity_at, stored_value, imported_stored_value) VALUES (?1, ?2, ?3, ?3)
        ON CONFLICT(member_key) DO UPDATE SET
            last_activity_at = \(dialect.greatest("coalesce(?2, member_state.last_event_at)",
                                                  "coalesce(member_state.last_event_at, ?2)"))
        """ + (settingBalance ? """
            , stored_value = CASE WHEN \(dialect.isNotDistinct("member_state.imported_stored_value", "?3"))
                THEN member_state.stored_value ELSE ?3 END,
            imported_stored_value = ?3
            """ : "")
    }

}
