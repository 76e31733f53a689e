import Foundation
import HeraldCore

/// `herald store copy --to …`: every table of one store into another, empty one — SQLite to
/// PostgreSQL, or back — keys and all, verified: per table, the row count and a checksum
/// (FNV-1a-128 over every value of every row, in key order) of the source as it was read must
/// equal those of the target read back afterwards.
///
/// Both stores are at the current schema, whose tables have the same columns in the same order
/// on both backends. Rows stream (memory stays flat): PostgreSQL takes them with `COPY` in one
/// transaction, so a failed copy leaves it empty; SQLite takes them in batches of 10,000 (a
/// failed copy leaves a partial file: delete it and run again).
public enum StoreCopier {
    /// Every table, parents before children, with the columns that order its rows uniquely.
    static let tables: [(name: String, order: String)] = [
        ("members", "key"), ("member_state", "member_key"), ("member_tags", "member_key, tag"), ("events", "key"),
        ("points_lots", "key"), ("occurrences", "trigger_id, member_key, occurrence_key"), ("outbox", "key"),
        ("delivery_attempts", "outbox_key, attempt"), ("suppressions", "trigger_id, member_key, occurrence_key"),
        ("address_suppressions", "address"), ("provider_tokens", "provider"), ("audit_log", "seq"),
        ("store_keys", "key_id"),
    ]

    /// Tables whose `key` is handed out by the store: PostgreSQL's counters move past the copied keys.
    static let keyedTables = ["members", "events", "points_lots", "outbox"]

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Copies `source` into `target` (created, migrated, and required to be empty) and
    /// verifies the copy; `progress` hears of each table as it is done. Sealed values are
    /// copied as they are, with the list of keys they are under: the copy opens with the
    /// source's `keys` only. The target is opened without keys (it is empty, and takes them with `store_keys`).
    public static func copy(from source: StoreLocation, keys: StoreKeys = .none, to target: StoreLocation,
                            progress: (StoreCopyReport.Table) -> Void = { _ in }) throws -> StoreCopyReport {
        guard source != target else { throw Failure(description: "the source and the target are the same store") }
        let reading = try StoreFactory.open(source, keys: keys, access: .readOnly)
        let writing = try StoreFactory.connect(target, access: .durableWrites)
        guard let from = (reading as? SQLStore)?.database else {
            throw Failure(description: "only SQL stores can be copied")
        }
        let to = writing.database
        for table in tables.map(\.name) {
            let rows = try to.scalarInteger("SELECT count(*) FROM \(table)") ?? 0
            guard rows == 0 else {
                throw Failure(description: "\(target) already holds \(rows) rows in \(table): copy into an empty store")
            }
        }
        let started = ContinuousClock.now
        var report = StoreCopyReport()
        let writer = try CopyWriter(to)
        do {
            for table in tables {
                let columns = try columnNames(of: table.name, in: from)
                let targetColumns = try columnNames(of: table.name, in: to)
                guard columns == targetColumns else {
                    throw Failure(description: "\(table.name) has the columns \(columns) in \(source) but "
                        + "\(targetColumns) in \(target): both stores must be at the same schema version")
                }
                var checksum = FNV1a.Hasher128()
                let rows = try writer.copy(table.name, columns: columns) { write in
                    try forEachRow(table.name, columns: columns, order: table.order, in: from) { values in
                        checksum.combine(row: values)
                        try write(values)
                    }
                }
                report.tables.append(.init(name: table.name, sourceRows: rows, sourceChecksum: checksum.value))
            }
            try writer.finish()
        } catch {
            writer.abandon()
            throw error
        }
        if case .postgres = target { try to.execute("ANALYZE") }
        // The copy read back, as a separate pass: what is in the target now.
        for (index, read) in try checksums(of: to).enumerated() {
            report.tables[index].targetRows = read.rows
            report.tables[index].targetChecksum = read.checksum
            progress(report.tables[index])
        }
        report.seconds = (ContinuousClock.now - started).inSeconds
        return report
    }

    /// Each table's rows and checksum, in `tables` order.
    static func checksums(of database: any SQLDatabase) throws -> [(rows: Int, checksum: UInt128)] {
        try tables.map { table in
            var checksum = FNV1a.Hasher128()
            var rows = 0
            try forEachRow(table.name, columns: try columnNames(of: table.name, in: database), order: table.order,
                           in: database) { values in
                checksum.combine(row: values)
                rows += 1
            }
            return (rows, checksum.value)
        }
    }

    /// The table's columns in their order (a query that returns no row still names them).
    static func columnNames(of table: String, in database: any SQLDatabase) throws -> [String] {
        let statement = try database.prepare("SELECT * FROM \(table) WHERE FALSE")
        _ = try statement.step()
        return (0..<statement.columnCount).compactMap(statement.columnName(at:))
    }

    /// Every row of `table` in `order`, each value as text (nil for NULL), a page at a time.
    static func forEachRow(_ table: String, columns: [String], order: String, in database: any SQLDatabase,
                           _ body: ([String?]) throws -> Void) throws {
        var page: [[String?]] = []
        try database.forEachPage(of: "SELECT \(columns.joined(separator: ", ")) FROM \(table) ORDER BY \(order)", [],
                                 pageSize: 5_000, readRow: { row in
            page.append((0..<Int32(columns.count)).map { row.text(at: $0) })
        }, pageDone: {
            for values in page { try body(values) }
            page.removeAll(keepingCapacity: true)
        })
    }
}

extension FNV1a.Hasher128 {
    /// One row: each value's bytes after a marker that tells NULL from text (so `NULL` and
    /// `"NULL"`, or `"ab","c"` and `"a","bc"`, differ).
    mutating func combine(row values: [String?]) {
        for value in values {
            if let value {
                combine(byte: 0x01)
                var length = value.utf8.count
                repeat {
                    combine(byte: UInt8(ascii: "0") + UInt8(length % 10))
                    length /= 10
                } while length > 0
                combine(byte: 0x3A)
                combine(value.utf8)
            } else {
                combine(byte: 0x00)
            }
        }
        combine(byte: 0x0A)
    }
}
