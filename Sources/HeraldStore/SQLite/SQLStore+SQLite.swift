import Foundation
import HeraldCore

extension SQLStore {
    /// Opens or creates the embedded store, the SQLite file at `path`, creating its folder if
    /// needed. `schemaVersion` is for tests that build an older store; everything else takes
    /// the latest. `durable`: every commit synced to disk before it returns (`synchronous =
    /// FULL`; the default, NORMAL, survives a crash of the process but may lose the last
    /// commits to a power loss).
    public convenience init(path: String, schemaVersion: Int = HeraldSchema.latestVersion, durable: Bool = false) throws {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        // Members' addresses live here: a new store is readable by its owner only. SQLite gives
        // its -wal and -shm files the same mode.
        let descriptor = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if descriptor >= 0 { close(descriptor) }
        let database = try SQLiteDatabase(path: path)
        // 64 MiB of page cache keeps the hot index pages of a large import in memory;
        // it is also the bulk of the importer's bounded memory.
        try database.execute("PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = 16384")
        if durable { try database.execute("PRAGMA synchronous = FULL") }
        try SchemaMigrator.migrate(database, to: schemaVersion)
        self.init(database: database)
    }

    /// Opens an existing SQLite store for reading only (`preview`): nothing is created,
    /// migrated or written. A store at an older schema must be upgraded by a writing command first.
    public convenience init(readingAt path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw StoreUnavailableError(description: "no store at \(path): import members first (herald import members FILE)")
        }
        let database = try SQLiteDatabase(path: path, readOnly: true)
        try database.execute("PRAGMA cache_size = -65536")
        try SchemaMigrator.requireCurrent(database)
        self.init(database: database)
    }
}
