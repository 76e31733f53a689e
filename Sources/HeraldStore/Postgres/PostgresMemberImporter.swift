import Foundation
import HeraldCore

/// `import members` on PostgreSQL: the file is read and checked exactly as on SQLite
/// (`MemberFileReader`), and the good rows are streamed with `COPY` into a session's staging
/// table, then applied to the store by a handful of set-based statements per batch — the same
/// effects as `SQLMemberImporter`'s row-by-row upserts, without a round trip per row.
///
/// Per batch and per set of columns the file provides: one `INSERT … ON CONFLICT (id) DO
/// UPDATE … WHERE something differs RETURNING` (so an unchanged member writes nothing), the
/// state rows of the members it changed, balances that differ for the others, and the tags of
/// the changed ones. A member id met twice closes the batch first, so the second row applies
/// over the first as it does row by row.
@_spi(StoreSQL) public final class PostgresMemberImporter: MemberImporter {
    private let store: SQLStore
    private let database: PostgresDatabase
    private let batchSize: Int
    private var reader: MemberFileReader
    private var copy: PostgresCopy?
    private var idsInBatch: Set<String> = []
    private var fieldSetsInBatch: Set<MemberFieldSet> = []
    private var rowsInBatch = 0
    private var changedRows = 0
    public var allowsConsentToSuppressedAddresses = false

    /// Every member column, in the staging table's order.
    private static let columns = MemberField.allCases.flatMap(\.memberColumns)

    init(store: SQLStore, database: PostgresDatabase, defaultTimeZone: TimeZone, batchSize: Int) {
        self.store = store
        self.database = database
        self.batchSize = max(1, batchSize)
        reader = MemberFileReader(defaultTimeZone: defaultTimeZone)
    }

    public func importMembers(from lines: LineReader, format: MemberFileFormat, sink: any RejectedRowSink) throws
        -> ImportSummary {
        reader.consentGuard = try allowsConsentToSuppressedAddresses || !store.hasSuppressedAddresses() ? nil
            : SuppressedConsentGuard(of: store)
        defer { reader.consentGuard = nil }
        let countBefore = try database.scalarInteger("SELECT count(*) FROM members") ?? 0
        changedRows = 0
        // A quarter second is SQLite's bound on holding its one write lock; PostgreSQL locks
        // only the rows written, so a batch may run longer and pay fewer statements per row.
        let transaction = BatchedTransaction(database: database, batchSize: batchSize, maximumHold: .seconds(2),
                                             beforeCommit: { [unowned self] in try applyBatch() })
        var summary = ImportSummary()
        do {
            try reader.read(lines, format: format, summary: &summary, sink: sink, .init(record: { record in
                // The second row of one member applies over the first, as row by row: a batch of its own.
                if self.idsInBatch.contains(record.id) { try transaction.commit() }
                if !transaction.hasOpenBatch {
                    try transaction.begin()
                    try self.openBatch()
                }
                try self.stage(record)
                try transaction.unitDone()
            }, idle: transaction.commit))
            try transaction.commit()
        } catch {
            copy?.abandon()
            copy = nil
            transaction.abandon()
            idsInBatch.removeAll(keepingCapacity: true)
            fieldSetsInBatch.removeAll(keepingCapacity: true)
            throw error
        }
        let countAfter = try database.scalarInteger("SELECT count(*) FROM members") ?? 0
        summary.count(changedRows: changedRows, membersBefore: countBefore, membersAfter: countAfter)
        return summary
    }

    // MARK: Staging

    private func openBatch() throws {
        try database.execute("""
            CREATE TEMP TABLE IF NOT EXISTS herald_member_rows (
                seq BIGINT NOT NULL, fields BIGINT NOT NULL, id TEXT COLLATE "C" NOT NULL,
                \(Self.columns.map { "\($0) \(Self.type(of: $0))" }.joined(separator: ", ")),
                tag_list TEXT[] COLLATE "C", stored_value BIGINT);
            CREATE TEMP TABLE IF NOT EXISTS herald_member_changes (key BIGINT NOT NULL, id TEXT COLLATE "C" NOT NULL,
                activity BIGINT);
            TRUNCATE herald_member_rows, herald_member_changes
            """)
        copy = try database.copy("COPY herald_member_rows (seq, fields, id, \(Self.columns.joined(separator: ", ")), "
            + "tag_list, stored_value) FROM STDIN")
        idsInBatch.removeAll(keepingCapacity: true)
        fieldSetsInBatch.removeAll(keepingCapacity: true)
        rowsInBatch = 0
    }

    private static func type(of column: String) -> String {
        ["birth_year", "birth_month", "birth_day", "registered_at", "last_active_at"].contains(column)
            ? "BIGINT" : "TEXT COLLATE \"C\""
    }

    private func stage(_ record: MemberRecord) throws {
        guard let copy else { return }
        let fields = record.providedFields
        var values: [SQLValue] = [.integer(Int64(rowsInBatch)), .integer(Int64(fields.rawValue)), .text(record.id)]
        for field in MemberField.allCases where !field.memberColumns.isEmpty {
            values += fields.contains(field) ? record.storedValues(of: field, in: store)
                : Array(repeating: .null, count: field.memberColumns.count)
        }
        values.append(fields.contains(.tags) ? .text(Self.arrayLiteral(record.profile.tags)) : .null)
        values.append(.optional(record.importedStoredValue))
        try copy.append(values)
        idsInBatch.insert(record.id)
        fieldSetsInBatch.insert(fields)
        rowsInBatch += 1
    }

    /// A PostgreSQL array literal of texts: `{"a","b"}`, quotes and backslashes escaped.
    static func arrayLiteral(_ items: [String]) -> String {
        let quoted = items.map { item in
            "\"" + item.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        return "{" + quoted.joined(separator: ",") + "}"
    }

    // MARK: Applying

    /// The staged rows into the store, per set of provided columns (a CSV has one).
    private func applyBatch() throws {
        guard let copy else { return }
        self.copy = nil
        try copy.finish()
        // The planner knows nothing of a temporary table until it is analyzed: worth it for a large batch.
        if rowsInBatch >= 1_000 { try database.execute("ANALYZE herald_member_rows") }
        for fields in fieldSetsInBatch.sorted(by: { $0.rawValue < $1.rawValue }) { try apply(fields) }
        idsInBatch.removeAll(keepingCapacity: true)
        fieldSetsInBatch.removeAll(keepingCapacity: true)
    }

    private func apply(_ fields: MemberFieldSet) throws {
        let dialect = database.dialect
        let columns = fields.fields.flatMap(\.memberColumns)
        let set = Int64(fields.rawValue)
        // The members inserted or whose provided columns differ: their key, and the later of
        // the profile's instants (what last activity starts from).
        let upsert = "INSERT INTO members (id\(columns.map { ", \($0)" }.joined())) SELECT id"
            + columns.map { ", \($0)" }.joined() + " FROM herald_member_rows WHERE fields = ?1 ORDER BY seq "
            + fields.upsertConflictClause(dialect)
        let changed = try database.planningEachRun("""
            WITH upserted AS (\(upsert) RETURNING key, id, registered_at, last_active_at)
            INSERT INTO herald_member_changes (key, id, activity)
            SELECT key, id, greatest(registered_at, last_active_at) FROM upserted
            """).run(.integer(set))
        changedRows += changed
        let settingBalance = fields.contains(.storedValue)
        if changed > 0 {
            try database.planningEachRun("""
                INSERT INTO member_state (member_key, last_activity_at, stored_value, imported_stored_value)
                SELECT c.key, c.activity, r.stored_value, r.stored_value
                FROM herald_member_changes c JOIN herald_member_rows r ON r.id = c.id AND r.fields = ?1
                ON CONFLICT (member_key) DO UPDATE SET
                    last_activity_at = greatest(coalesce(excluded.last_activity_at, member_state.last_event_at),
                                                coalesce(member_state.last_event_at, excluded.last_activity_at))
                """ + (settingBalance ? """
                    , stored_value = CASE WHEN member_state.imported_stored_value IS NOT DISTINCT FROM
                        excluded.imported_stored_value THEN member_state.stored_value
                        ELSE excluded.imported_stored_value END,
                    imported_stored_value = excluded.imported_stored_value
                    """ : "")).run(.integer(set))
        }
        if settingBalance {
            // The profile is unchanged; only the balance may differ (a snapshot: it replaces the
            // live balance only when it differs from the last imported one).
            changedRows += try database.planningEachRun("""
                UPDATE member_state s SET stored_value = r.stored_value, imported_stored_value = r.stored_value
                FROM herald_member_rows r JOIN members m ON m.id = r.id
                WHERE r.fields = ?1 AND s.member_key = m.key
                    AND NOT EXISTS (SELECT 1 FROM herald_member_changes c WHERE c.id = r.id)
                    AND s.imported_stored_value IS DISTINCT FROM r.stored_value
                """).run(.integer(set))
        }
        if fields.contains(.tags), changed > 0 {
            try database.planningEachRun("""
                DELETE FROM member_tags t USING herald_member_changes c, herald_member_rows r
                WHERE r.id = c.id AND r.fields = ?1 AND t.member_key = c.key
                """).run(.integer(set))
            try database.planningEachRun("""
                INSERT INTO member_tags (member_key, tag)
                SELECT c.key, tag
                FROM herald_member_changes c JOIN herald_member_rows r ON r.id = c.id AND r.fields = ?1,
                    unnest(r.tag_list) AS tag
                ON CONFLICT DO NOTHING
                """).run(.integer(set))
        }
    }
}
