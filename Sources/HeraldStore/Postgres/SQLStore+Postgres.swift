import Foundation
import HeraldCore

extension SQLStore {
    /// Connects to the PostgreSQL store at `url` and migrates it to the current schema (a new,
    /// empty database gets the whole schema). `readOnly`: nothing is created, migrated or
    /// written, and a database not at the current version is refused.
    public convenience init(postgres url: String, readOnly: Bool = false,
                            schemaVersion: Int = HeraldSchema.latestVersion) throws {
        let database = try PostgresDatabase(url: url, readOnly: readOnly)
        if readOnly {
            try SchemaMigrator.requireCurrent(database)
        } else {
            try SchemaMigrator.migrate(database, to: schemaVersion)
        }
        self.init(database: database)
    }
}
