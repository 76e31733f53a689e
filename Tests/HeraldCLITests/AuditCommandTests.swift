import Foundation
import Testing
import HeraldCore
@_spi(StoreSQL) import HeraldStore
@_spi(StoreSQL) import HeraldTestSupport
@testable import HeraldCLI

/// `herald audit` (SPEC 9): operators' actions with their actor, in an append-only hash
/// chain that `--verify` checks.
@Suite(.timeLimit(.minutes(2))) struct AuditCommandTests {
    @Test(arguments: StoreBackend.allCases) func actionsAreRecordedAndAnEditedRowIsFound(_ backend: StoreBackend) throws {
        let folder = try TemporaryDirectory()
        let location = try backend.makeLocation(in: folder)
        let config = try folder.write("herald.json5", "{ \(StoreBackend.configEntry(location)), timezone: 'Asia/Shanghai' }")
        let members = try folder.write("m.csv", "id,phone\nM1,13812345678\nM2,139\n")
        #expect(herald(["--config", config, "--actor", "ops-li", "import", "members", members]).status == .rowsRejected)
        #expect(herald(["--config", config, "--actor", "王经理", "suppress", "add", "13812345678"]).status == .success)
        // A pending row of M1's, cancelled by name: the row says who, the log says what.
        try StoreBackend.open(location).database.execute("""
            INSERT INTO outbox (trigger_id, member_key, occurrence_key, idempotency_key, category, channel, address, template,
                body, scheduled_at, next_attempt_at, created_at, updated_at)
            SELECT 'birthday', key, 'k', 'hk-1', 'service', 'sms', phone, 't', '您好', 1, 1, 1, 1 FROM members
            """)
        #expect(herald(["--config", config, "outbox", "cancel", "--trigger", "birthday"]).output == "cancelled: 1 row\n")
        #expect(try StoreBackend.open(location).database.scalarText("SELECT last_error FROM outbox")
                == "cancelled by \(OperatingSystemUser.name)")

        let listed = herald(["--config", config, "audit", "--format", "json"])
        #expect(listed.status == .success, "\(listed.error)")
        let entries = try listed.output.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(entries.map { "\($0["seq"]!) \($0["actor"]!) \($0["action"]!)" }
                == ["1 ops-li import members", "2 王经理 suppress add", "3 \(OperatingSystemUser.name) outbox cancel"])
        #expect((entries[0]["detail"] as? String)?.hasSuffix("m.csv: read 2, inserted 1, updated 0, duplicates 0, rejected 1") == true)
        #expect(!listed.output.contains("13812345678") && !listed.output.contains("5678"), "an address in the audit log")
        let mine = herald(["--config", config, "audit", "--actor", "王经理", "--format", "json"])
        #expect(mine.output.split(separator: "\n").count == 1 && mine.output.contains("suppress add"))
        #expect(herald(["--config", config, "audit", "--since", "2999-01-01", "--format", "json"]).output.isEmpty)
        let whole = herald(["--config", config, "audit", "--verify"])
        let lastHash = try #require(entries.last?["hash"] as? String)
        #expect(whole.status == .success && whole.output == "audit log: 3 entries, hash chain intact; last hash \(lastHash)\n")

        // Past the append-only guard (someone with the database's own rights): the chain still tells.
        let store = try StoreBackend.open(location)
        #expect(throws: (any Error).self, "an update went through the append-only guard") {
            try store.database.execute("UPDATE audit_log SET actor = 'nobody' WHERE seq = 2")
        }
        if backend == .postgres {
            #expect(throws: (any Error).self, "TRUNCATE went through the append-only guard") {
                try store.database.execute("TRUNCATE audit_log")
            }
        }
        try store.database.execute(backend == .sqlite ? "DROP TRIGGER audit_log_append_only_update"
                                                      : "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
        try store.database.execute("UPDATE audit_log SET actor = 'nobody' WHERE seq = 2")
        let broken = herald(["--config", config, "audit", "--verify"])
        #expect(broken.status == .rowsRejected)
        #expect(broken.error.contains("broken at entry 2: entry 2 was changed after it was written"), "\(broken.error)")
        try store.database.execute("UPDATE audit_log SET actor = '王经理' WHERE seq = 2")
        #expect(herald(["--config", config, "audit", "--verify"]).status == .success)
        if backend == .sqlite {
            // A time no instant can be (SQLite keeps whatever it is given): found, not a crash.
            try store.database.execute("UPDATE audit_log SET at = 9.9e300 WHERE seq = 3")
            #expect(herald(["--config", config, "audit", "--verify"]).error.contains("entry 3 was changed"))
            try store.database.execute("UPDATE audit_log SET at = (SELECT at FROM audit_log WHERE seq = 2) WHERE seq = 3")
        }
        #expect(herald(["--config", config, "audit", "--verify", "--format", "json"]).status == .failure)
        try store.database.execute(backend == .sqlite ? "DROP TRIGGER audit_log_append_only_delete" : "SELECT 1")
        try store.database.execute("DELETE FROM audit_log WHERE seq = 2")
        #expect(herald(["--config", config, "audit", "--verify"]).error.contains("entry 2 is missing (the next is 3)"))
    }
}
