import Foundation
import Testing
import HeraldCore
@_spi(StoreSQL) @testable import HeraldStore
@_spi(StoreSQL) import HeraldTestSupport
import HeraldWorker

private let sandbox = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Sandbox").path

/// `herald store copy --to` (issue 16): an SQLite store with every table filled (the sandbox's
/// simulated day: members, events, lots, occurrences, sends, attempts, suppressions) copied to
/// PostgreSQL and back ends equal to itself, keys included; a target holding data is refused;
/// the checksums see a changed value.
@Suite(.serialized, .timeLimit(.minutes(3))) struct StoreCopyTests {
    /// A folder whose config points at `store.db`, filled by `run --sandbox`'s store: the
    /// sandbox's day written into a store of its own (its members, events and outbox).
    private func filledStore(_ folder: TemporaryDirectory) async throws -> String {
        // The sandbox seals its store with its dev key; the copy keeps it sealed, and opens with the same key.
        let config = try folder.write("herald.json5", "{ store: { sqlite: \"store.db\", key: \"\(StoreKeys.sandboxKeyText)\" } }")
        let at = try #require(try ConfigLoader.load(path: sandbox + "/herald.json5").sandboxAt)
        let session = try SandboxSession(folder: sandbox, clock: ManualWallClock(at), horizon: at,
                                         store: .sqlite(path: folder.file("store.db"))) { _ in CollectingSink() }
        let runner = try EvaluationRunner(store: session.store.location, keys: session.storeKeys, catalog: session.catalog,
                                          codes: .seededByInstant)
        _ = try await runner.evaluate(at: at)
        try session.ingestLaterEvents { _, _ in }
        let store = try SQLStore(path: folder.file("store.db"))
        try store.database.execute("""
            INSERT INTO delivery_attempts (outbox_key, attempt, started_at, finished_at, outcome, http_status, provider)
            SELECT key, 1, scheduled_at, scheduled_at + 1, 'sent', 200, 'log' FROM outbox;
            INSERT INTO address_suppressions (address, kind, reason, provider, outbox_key, created_at)
            VALUES ('+8613900000000', 'sms', 'opt-out reply (T)', 'tencent', NULL, 1);
            INSERT INTO provider_tokens (provider, token, expires_at, updated_at) VALUES ('wechat:wx1', 'tok', 2, 1);
            """)
        try store.appendAudit(actor: "ops", action: "suppress add", detail: "added 1", at: at)
        try store.appendAudit(actor: "王经理", action: "outbox cancel", detail: "row 1: 1 cancelled", at: at)
        return config
    }

    @Test func sqliteToPostgresAndBackIsTheSameStore() async throws {
        let folder = try TemporaryDirectory()
        let config = try await filledStore(folder)
        let original = try SQLStore(path: folder.file("store.db"))
        for table in StoreCopier.tables {
            #expect(try original.database.scalarInteger("SELECT count(*) FROM \(table.name)") ?? 0 > 0, "\(table.name) is empty")
        }
        // Every table of the schema is copied.
        let schemaTables = try original.column("""
            SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'schema_version' ORDER BY name
            """)
        #expect(schemaTables == StoreCopier.tables.map(\.name).sorted())

        // The copies are compared with the store as it was: the copy itself goes into its audit log.
        let checksumsBefore = try StoreCopier.checksums(of: original.database).map(\.checksum)
        let url = try TemporaryPostgres.shared().makeDatabase()
        let there = try launchHerald(config: config, ["store", "copy", "--to", url], folder: folder, stderrName: "to.txt")
        #expect(await Waiting.exit(of: there, within: .seconds(120)), "store copy --to postgres did not finish in 120 s")
        #expect(there.terminationStatus == 0, "\((try? String(contentsOfFile: folder.file("to.txt"), encoding: .utf8)) ?? "")")
        // A new row in the copy takes a key after the copied ones.
        let postgres = try SQLStore(postgres: url)
        let maxKey = try original.database.scalarInteger("SELECT max(key) FROM members") ?? 0
        let importer = try postgres.makeMemberImporter(defaultTimeZone: TimeZone(identifier: "Asia/Shanghai")!)
        _ = try importer.importMembers(from: LineReader(bytes: Array("id\nNEW1\n".utf8), path: "new.csv"), format: .csv,
                                       sink: CollectingSink())
        #expect(try postgres.member(id: "NEW1")?.key ?? 0 > maxKey)
        let verification = try postgres.verifyAuditLog()
        #expect(verification.entries == 2 && verification.firstBroken == nil, "the audit chain did not survive the copy")
        try postgres.database.execute("DELETE FROM member_state WHERE member_key = (SELECT key FROM members WHERE id = 'NEW1');"
            + "DELETE FROM members WHERE id = 'NEW1'")

        // And back, with the config pointing at PostgreSQL now.
        let back = try folder.write("back.json5", "{ store: { postgres: \"\(url)\", key: \"\(StoreKeys.sandboxKeyText)\" } }")
        let home = try launchHerald(config: back, ["store", "copy", "--to", folder.file("back.db")], folder: folder,
                                    stderrName: "back.txt")
        #expect(await Waiting.exit(of: home, within: .seconds(120)), "store copy --to sqlite did not finish in 120 s")
        #expect(home.terminationStatus == 0, "\((try? String(contentsOfFile: folder.file("back.txt"), encoding: .utf8)) ?? "")")
        #expect(try StoreDump.of(SQLStore(path: folder.file("back.db"))) == StoreDump.of(original))
        #expect(try StoreCopier.checksums(of: SQLStore(path: folder.file("back.db")).database).map(\.checksum)
            == checksumsBefore)
        var copies: [String] = []
        try original.forEachAuditEntry(since: nil, actor: nil) { copies.append("\($0.action): \($0.detail)") }
        #expect(copies.last?.hasPrefix("store copy: to postgresql://") == true && copies.last?.hasSuffix("rows, verified") == true,
                "\(copies)")

        // A target with data is refused, untouched.
        let again = try launchHerald(config: config, ["store", "copy", "--to", url], folder: folder, stderrName: "again.txt")
        #expect(await Waiting.exit(of: again, within: .seconds(60)))
        #expect(again.terminationStatus == 2)
        let againError = try String(contentsOfFile: folder.file("again.txt"), encoding: .utf8)
        #expect(againError.contains("copy into an empty store"), "\(againError)")
    }

    /// One value changed anywhere changes that table's checksum, and only that one's.
    @Test func aChangedValueChangesItsTablesChecksum() async throws {
        let folder = try TemporaryDirectory()
        _ = try await filledStore(folder)
        let store = try SQLStore(path: folder.file("store.db"))
        let before = try StoreCopier.checksums(of: store.database)
        try store.database.execute("UPDATE events SET payload = payload || ' ' WHERE key = (SELECT min(key) FROM events)")
        let after = try StoreCopier.checksums(of: store.database)
        let changed = zip(StoreCopier.tables, zip(before, after)).filter { $1.0.checksum != $1.1.checksum }.map(\.0.name)
        #expect(changed == ["events"])
        #expect(before.map(\.rows) == after.map(\.rows))
    }
}
