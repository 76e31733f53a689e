import Foundation
import HeraldCore

/// Where `StoreCopier` writes rows: `COPY` into a PostgreSQL store, all tables in one
/// transaction; prepared inserts into an SQLite store, committed every 10,000 rows.
final class CopyWriter {
    private let database: any SQLDatabase

    init(_ database: any SQLDatabase) throws {
        self.database = database
        if database is PostgresDatabase { try database.execute("BEGIN") }
    }

    /// Writes the rows `produce` hands over into `table`; how many.
    func copy(_ table: String, columns: [String], _ produce: ((([String?]) throws -> Void)) throws -> Void) throws
        -> Int {
        var rows = 0
        if let postgres = database as? PostgresDatabase {
            let copy = try postgres.copy("COPY \(table) (\(columns.joined(separator: ", "))) FROM STDIN")
            do {
                try produce { values in
                    try copy.append(values.map { $0.map(SQLValue.text) ?? .null })
                    rows += 1
                }
                try copy.finish()
            } catch {
                copy.abandon()
                throw error
            }
            return rows
        }
        let insert = try database.prepare("INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES ("
            + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")")
        let batch = BatchedTransaction(database: database, batchSize: 10_000, maximumHold: .seconds(3600))
        do {
            try produce { values in
                try batch.begin()
                try insert.run(values.map { $0.map(SQLValue.text) ?? .null })
                try batch.unitDone()
                rows += 1
            }
            try batch.commit()
        } catch {
            batch.abandon()
            throw error
        }
        return rows
    }

    /// The copied keys are the store's from now on: PostgreSQL's counters continue after them.
    func finish() throws {
        guard database is PostgresDatabase else { return }
        for table in StoreCopier.keyedTables {
            try database.execute("""
                SELECT setval(pg_get_serial_sequence('\(table)', 'key'),
                              coalesce((SELECT max(key) FROM \(table)), 0) + 1, false)
                """)
        }
        try database.execute("COMMIT")
    }

    func abandon() {
        if database is PostgresDatabase { try? database.execute("ROLLBACK") }
    }
}
