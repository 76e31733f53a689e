import HeraldCore

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

    /// The version a store is at: 0 for a new, empty database.
    @_spi(StoreSQL) public static func currentVersion(of database: any SQLDatabase) throws -> Int {
        let hasTable = switch database.dialect {
        case .sqlite:
            try database.scalarInteger(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'") ?? 0
        case .postgres:
            // The table in the schema the connection's search_path names first.
            try database.scalarInteger("SELECT count(*) FROM pg_catalog.pg_class c WHERE c.relname = 'schema_version' "
                + "AND c.relnamespace = to_regnamespace(current_schema())::oid") ?? 0
        }
        guard hasTable > 0 else { return 0 }
        return Int(try database.scalarInteger("SELECT version FROM schema_version") ?? 0)
    }

    /// Applies the missing migrations up to `target`; returns the version found before.
    @discardableResult
    @_spi(StoreSQL) public static func migrate(_ database: any SQLDatabase, to target: Int = HeraldSchema.latestVersion,
                                               migrations: [SchemaMigration]? = nil) throws -> Int {
        let migrations = migrations ?? HeraldSchema.migrations(for: database.dialect)
        let found = try currentVersion(of: database)
        let supported = migrations.last?.version ?? 0
        if found > supported {
            throw StoreTooNewError(path: database.location.description, storeVersion: found, supportedVersion: supported)
        }
        for migration in migrations where migration.version > found && migration.version <= target {
            try database.withTransaction {
                if database.dialect == .postgres {
                    // Several workers may start at once: one migrates, the others wait here and
                    // then find the version already there. (SQLite's BEGIN IMMEDIATE does this.)
                    try database.execute("SELECT pg_advisory_xact_lock(\(migrationLockKey))")
                }
                // Re-read inside the lock: another process may have migrated meanwhile.
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

    /// Refuses a store that is not at the current version, for connections that read only
    /// (`preview`, `report`): they never migrate.
    @_spi(StoreSQL) public static func requireCurrent(_ database: any SQLDatabase) throws {
        let version = try currentVersion(of: database)
        let place = database.location.description
        guard version == HeraldSchema.latestVersion else {
            throw StoreUnavailableError(description: version == 0
                ? "no Herald store at \(place): import members first (herald import members FILE)"
                : "the store at \(place) is at schema version \(version), this Herald reads "
                    + "\(HeraldSchema.latestVersion): "
                    + (version < HeraldSchema.latestVersion ? "run an import or 'herald run' once to upgrade it"
                        : "upgrade Herald"))
        }
    }

    /// The advisory lock every PostgreSQL migration takes (an arbitrary constant: "herald" in ASCII).
    static let migrationLockKey: Int64 = 0x6865_7261_6c64
}
