import Foundation

/// The embedded member store: one SQLite file, migrated to the current schema on open.
public final class MemberStore {
    public let database: SQLiteDatabase

    /// Opens or creates the store at `path`, creating its folder if needed.
    /// `schemaVersion` is for tests that build an older store; everything else takes the latest.
    public init(path: String, schemaVersion: Int = HeraldSchema.latestVersion) throws {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        database = try SQLiteDatabase(path: path)
        // 64 MiB of page cache keeps the hot index pages of a large import in memory;
        // it is also the bulk of the importer's bounded memory.
        try database.execute("PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = 16384")
        try SchemaMigrator.migrate(database, to: schemaVersion)
    }
}
