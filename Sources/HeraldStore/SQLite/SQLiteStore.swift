import Foundation

/// The embedded member store: one SQLite file, migrated to the current schema on open.
/// One instance is one connection (`MemberStore`).
@_spi(StoreSQL) public final class SQLiteStore: MemberStore {
    @_spi(StoreSQL) public let database: SQLiteDatabase
    private var temporaryTablesOnDisk = false
    /// Through the UNIQUE index on link_token: one probe per redirect (prepared on first use;
    /// a failed prepare is tried again next time).
    private var preparedTrackedLink: SQLiteStatement?
    func trackedLinkStatement() throws -> SQLiteStatement {
        if let preparedTrackedLink { return preparedTrackedLink }
        let statement = try database.prepare("""
            SELECT m.id, o.link_targets FROM outbox o JOIN members m ON m.key = o.member_key WHERE o.link_token = ?
            """)
        preparedTrackedLink = statement
        return statement
    }
    /// Candidates a writing connection reads back at a time: the memory bound of a run's tick
    /// (tests make it small to cross many pages).
    @_spi(StoreSQL) public var candidatePageSize = 1_000
    /// Through the UNIQUE indexes on link_token and coupon_code.
    private lazy var issuedCode = Result {
        try database.prepare("""
            SELECT EXISTS (SELECT 1 FROM outbox WHERE link_token = ?1)
                OR EXISTS (SELECT 1 FROM outbox WHERE coupon_code = ?1)
            """)
    }

    /// Opens or creates the store at `path`, creating its folder if needed.
    /// `schemaVersion` is for tests that build an older store; everything else takes the latest.
    /// `durable`: every commit synced to disk before it returns (`synchronous = FULL`; the
    /// default, NORMAL, survives a crash of the process but may lose the last commits to a
    /// power loss).
    public init(path: String, schemaVersion: Int = HeraldSchema.latestVersion, durable: Bool = false) throws {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        // Members' addresses live here: a new store is readable by its owner only. SQLite gives
        // its -wal and -shm files the same mode.
        let descriptor = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if descriptor >= 0 { close(descriptor) }
        database = try SQLiteDatabase(path: path)
        // 64 MiB of page cache keeps the hot index pages of a large import in memory;
        // it is also the bulk of the importer's bounded memory.
        try database.execute("PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = 16384")
        if durable { try database.execute("PRAGMA synchronous = FULL") }
        try SchemaMigrator.migrate(database, to: schemaVersion)
    }

    /// Opens an existing store for reading only (`preview`): nothing is created, migrated
    /// or written. A store at an older schema must be upgraded by a writing command first.
    public init(readingAt path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw StoreUnavailableError(description: "no store at \(path): import members first (herald import members FILE)")
        }
        database = try SQLiteDatabase(path: path, readOnly: true)
        try database.execute("PRAGMA cache_size = -65536")
        let version = try SchemaMigrator.currentVersion(of: database)
        guard version == HeraldSchema.latestVersion else {
            throw StoreUnavailableError(description:
                "the store at \(path) is at schema version \(version), this Herald reads \(HeraldSchema.latestVersion): "
                + (version < HeraldSchema.latestVersion ? "run an import or 'herald run' once to upgrade it" : "upgrade Herald"))
        }
    }
}

extension SQLiteStore {
    /// Keeps this connection's temporary tables in a file, not in memory (a run's candidates
    /// may be millions of rows). Set once, before the first temporary table: changing it later
    /// would drop them.
    func keepTemporaryTablesOnDisk() throws {
        guard !temporaryTablesOnDisk else { return }
        try database.execute("PRAGMA temp_store = FILE")
        temporaryTablesOnDisk = true
    }

    public func isSendCodeIssued(_ code: String) throws -> Bool {
        let statement = try issuedCode.get()
        try statement.bind([.text(code)])
        defer { statement.reset() }
        return try statement.step() && statement.integer(at: 0) == 1
    }

    /// Whether a provider has reported any address unreachable: planning probes the list
    /// per candidate only then.
    public func hasSuppressedAddresses() throws -> Bool {
        try database.scalarInteger("SELECT EXISTS (SELECT 1 FROM address_suppressions)") == 1
    }
}
