import HeraldCore
import Testing
@_spi(StoreSQL) import HeraldTestSupport
@_spi(StoreSQL) @testable import HeraldStore

@Suite struct SchemaMigrationTests {
    @Test func aNewStoreIsAtTheLatestVersion() throws {
        let folder = try TemporaryDirectory()
        let store = try SQLStore(path: folder.file("new/h.db"))
        #expect(try SchemaMigrator.currentVersion(of: store.database) == HeraldSchema.latestVersion)
        #expect(try store.database.scalarInteger("SELECT count(*) FROM schema_version") == 1)
    }

    @Test func anOlderStoreIsMigratedAndKeepsItsData() throws {
        let folder = try TemporaryDirectory()
        let path = folder.file("h.db")
        do {
            let old = try SQLStore(path: path, schemaVersion: 1)
            #expect(try SchemaMigrator.currentVersion(of: old.database) == 1)
            try old.database.execute("INSERT INTO members (id, name) VALUES ('U1', '张三')")
            #expect(throws: SQLiteError.self) { try old.database.execute("SELECT * FROM outbox") }
        }
        let store = try SQLStore(path: path)
        #expect(try SchemaMigrator.currentVersion(of: store.database) == HeraldSchema.latestVersion)
        #expect(try store.member(id: "U1")?.profile.name == "张三")
        #expect(try store.database.scalarInteger("SELECT count(*) FROM outbox WHERE fallbacks IS NULL") == 0)
        #expect(try store.database.scalarInteger("SELECT count(*) FROM outbox") == 0)
    }

    @Test func aNewerStoreIsRefusedWithAClearMessage() throws {
        let folder = try TemporaryDirectory()
        let path = folder.file("h.db")
        do {
            let store = try SQLStore(path: path)
            try store.database.execute("UPDATE schema_version SET version = 99")
        }
        do {
            _ = try SQLStore(path: path)
            Issue.record("expected a refusal")
        } catch let error as SchemaMigrator.StoreTooNewError {
            #expect(error.storeVersion == 99)
            #expect(error.description.contains("schema version 99"))
            #expect(error.description.contains("upgrade Herald"))
        }
    }

    @Test func aFailingMigrationLeavesTheStoreAtTheLastWholeVersion() throws {
        let folder = try TemporaryDirectory()
        let database = try SQLiteDatabase(path: folder.file("h.db"))
        let broken = HeraldSchema.migrations[0..<1] + [SchemaMigration(version: 2, summary: "broken",
                                                                        sql: "CREATE TABLE x (a); SELECT * FROM nowhere")]
        #expect(throws: SQLiteError.self) { try SchemaMigrator.migrate(database, migrations: Array(broken)) }
        #expect(try SchemaMigrator.currentVersion(of: database) == 1)
        #expect(try database.scalarInteger("SELECT count(*) FROM sqlite_master WHERE name = 'x'") == 0)
    }
}
