/// Brings a store to a schema version: an older store is migrated step by step,
/// a newer one (written by a later Herald) is refused with a clear message.
public enum SchemaMigrator {
    public struct StoreTooNewError: Error, CustomStringConvertible {
        public var path: String
        public var storeVersion: Int
        public var supportedVersion: Int

        public var description: String {
            "\(path): the store has schema version \(storeVersion), but this Herald knows versions up to "
                + "\(supportedVersion); upgrade Herald (or restore a backup) instead of opening it with an older binary"
        }
    }

    /// The version a store is at: 0 for a new, empty file.
    @_spi(StoreSQL) public static func currentVersion(of database: SQLiteDatabase) throws -> Int {
        let hasTable = try database.scalarInteger(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'") ?? 0
        guard hasTable > 0 else { return 0 }
        return Int(try database.scalarInteger("SELECT version FROM schema_version") ?? 0)
    }

    /// Applies the missing migrations up to `target`; returns the version found before.
    @discardableResult
    @_spi(StoreSQL) public static func migrate(_ database: SQLiteDatabase, to target: Int = HeraldSchema.latestVersion,
                               migrations: [SchemaMigration] = HeraldSchema.migrations) throws -> Int {
        let found = try currentVersion(of: database)
        let supported = migrations.last?.version ?? 0
        if found > supported {
            throw StoreTooNewError(path: database.path, storeVersion: found, supportedVersion: supported)
        }
        for migration in migrations where migration.version > found && migration.version <= target {
            try database.withTransaction {
                // Re-read inside the write lock: another process may have migrated meanwhile.
                guard try currentVersion(of: database) < migration.version else { return }
                try database.execute(migration.sql)
                try database.execute("""
                    CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
                    DELETE FROM schema_version;
                    INSERT INTO schema_version (version) VALUES (\(migration.version));
                    """)
            }
        }
        return found
    }
}
