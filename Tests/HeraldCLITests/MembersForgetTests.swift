import Foundation
import Testing
import HeraldCore
@_spi(StoreSQL) @testable import HeraldStore
import HeraldCrypto
@_spi(StoreSQL) import HeraldTestSupport
@testable import HeraldCLI

/// `herald members forget` (SPEC 9): a member's identifiers leave the store — the SQLite file
/// itself included — while anonymous counts keep past reports whole.
@Suite(.timeLimit(.minutes(2))) struct MembersForgetTests {
    static let identifiers = ["VIP-ZHANG-0001", "张三丰", "13812345678", "zhangsan@example.cn", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
                              "张三丰的备注", "SKU-ZHANG"]

    @Test(arguments: StoreBackend.allCases) func forgetErasesIdentifiersAndKeepsTheCounts(_ backend: StoreBackend) async throws {
        let folder = try TemporaryDirectory()
        let location = try backend.makeLocation(in: folder)
        let config = try folder.write("herald.json5", EvaluationFixture.config()
            .replacingOccurrences(of: #"store: { sqlite: "h.db" },"#, with: StoreBackend.configEntry(location) + ","))
        try FileManager.default.createDirectory(atPath: folder.file("Triggers"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: folder.file("MessageTemplates/t"), withIntermediateDirectories: true)
        try folder.write("Triggers/silent.json5", EvaluationFixture.trigger("silent", kind: "inactivity",
                                                                           "params: { days: 30 }, category: 'service'"))
        try folder.write("MessageTemplates/t/sms.zh-CN.txt", "{{ member.name | default: \"会员\" }}您好，好久不见")
        let members = try folder.write("m.csv", """
            id,name,phone,email,wechat_openid,birthday,tags,consent_sms,last_active_at
            VIP-ZHANG-0001,张三丰,13812345678,zhangsan@example.cn,oUpF8uMuAJO_M2pxb1Q9zNjWeS6o,1990-05-01,VIP,yes,2020-01-01
            M2,李四,13900000002,,,,,yes,2020-01-01
            """)
        #expect(herald(["--config", config, "import", "members", members]).status == .success)
        let events = try folder.write("e.ndjson", """
            {"id":"e1","member_id":"VIP-ZHANG-0001","type":"purchase","at":"2019-12-01","amount":100,"sku":"SKU-ZHANG","note":"张三丰的备注"}
            """)
        #expect(herald(["--config", config, "ingest", events]).status == .success)
        let worker = try launchHerald(config: config, ["run", "--once"], folder: folder)
        #expect(await Waiting.exit(of: worker, within: .seconds(60)), "herald run --once did not finish within 60 s")
        #expect(worker.terminationStatus == 0)
        let store = try StoreBackend.open(location)
        // One of M2's messages waits still, to be left alone; a second of the erased member's, to be cancelled.
        try store.database.execute("""
            INSERT INTO outbox (trigger_id, member_key, occurrence_key, idempotency_key, category, channel, address, template,
                body, fallbacks, scheduled_at, next_attempt_at, created_at, updated_at)
            SELECT 'silent', key, 'later', 'hk-later-' || CAST(key AS TEXT), 'service', 'sms', phone, 't', name || '您好',
                '[{"channel":"email","address":"' || COALESCE(email, '') || '","text":"' || name || '"}]', 1, 1, 1, 1
            FROM members
            """)
        let sentBefore = try store.database.scalarInteger("SELECT count(*) FROM outbox WHERE status = 'sent'")
        let revenueBefore = try store.database.scalarInteger("SELECT sum(amount) FROM events WHERE type = 'purchase'")
        #expect(revenueBefore ?? 0 > 0)
        #expect(sentBefore == 2)

        // The access request first: everything stored, unmasked, table by table.
        #expect(herald(["--config", config, "suppress", "add", "+86 139 0000 0002"]).status == .success)
        let exported = herald(["--config", config, "members", "export", "VIP-ZHANG-0001"])
        #expect(exported.status == .success, "\(exported.error)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(exported.output.utf8)) as? [String: Any])
        let tables = try #require(document["tables"] as? [String: [[String: Any]]])
        for identifier in Self.identifiers { #expect(exported.output.contains(identifier), "\(identifier) not exported") }
        #expect(tables["outbox"]?.count == 2 && tables["delivery_attempts"]?.count == 1 && tables["member_tags"]?.count == 1)
        #expect(tables["events"]?.first?["at"] as? String == "2019-12-01T00:00:00+08:00")
        #expect(!exported.output.contains("李四"), "another member's data in the export")
        let other = herald(["--config", config, "members", "export", "M2", "--output", folder.file("m2.json")])
        #expect(other.status == .success && other.output.isEmpty)
        let m2 = try String(contentsOfFile: folder.file("m2.json"), encoding: .utf8)
        #expect(m2.contains("\"address_suppressions\": [") && m2.contains("\"address\": \"+8613900000002\""))
        let mode = try FileManager.default.attributesOfItem(atPath: folder.file("m2.json"))[.posixPermissions] as? Int
        #expect(mode == 0o600)
        // Never over an existing file (whose mode would stay what it was) or through a link.
        let overwrite = herald(["--config", config, "members", "export", "M2", "--output", folder.file("m2.json")])
        #expect(overwrite.status == .failure && overwrite.error.contains("exists already"))
        #expect(herald(["--config", config, "members", "export", "NOBODY"]).status == .failure)

        let forgot = herald(["--config", config, "--actor", "dpo-wang", "members", "forget", "VIP-ZHANG-0001", "NOBODY"])
        #expect(forgot.status == .rowsRejected, "\(forgot.error)")
        #expect(forgot.output == "VIP-ZHANG-0001: erased (1 pending sends cancelled, 2 messages and 1 events cleared, "
                + "0 addresses suppressed)\n")
        #expect(forgot.error.contains("no member with id 'NOBODY'"))

        // Nothing identifies the member any more, in any table; the counts stand.
        var dump = ""
        for table in StoreCopier.tables {
            let columns = try StoreCopier.columnNames(of: table.name, in: store.database)
            try StoreCopier.forEachRow(table.name, columns: columns, order: table.order, in: store.database) { values in
                dump += values.map { $0 ?? "" }.joined(separator: "|") + "\n"
            }
        }
        for identifier in Self.identifiers { #expect(!dump.contains(identifier), "\(identifier) is still stored") }
        #expect(dump.contains("李四") && dump.contains("+8613900000002"), "the other member was touched")
        #expect(try store.database.scalarInteger("SELECT count(*) FROM outbox WHERE status = 'sent'") == sentBefore)
        #expect(try store.database.scalarInteger("SELECT count(*) FROM outbox WHERE status = 'pending'") == 1)
        #expect(try store.database.scalarInteger("SELECT sum(amount) FROM events WHERE type = 'purchase'") == revenueBefore)
        #expect(herald(["--config", config, "members", "show", "VIP-ZHANG-0001"]).status == .failure)
        #expect(herald(["--config", config, "members", "forget", "VIP-ZHANG-0001"]).status == .failure,
                "none found (erased already): 2, as every not found")
        if case .sqlite(let path) = location {
            // The file itself, and its write-ahead log: erased content is zeroed, the log truncated.
            var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            bytes += (try? Data(contentsOf: URL(fileURLWithPath: path + "-wal"))) ?? Data()
            for identifier in Self.identifiers {
                #expect(bytes.range(of: Data(identifier.utf8)) == nil, "\(identifier) is still in the file")
            }
        }
        // A message planned by a tick that read the member just before the erasure: the next run sweeps it.
        try store.database.execute("""
            INSERT INTO outbox (trigger_id, member_key, occurrence_key, idempotency_key, category, channel, address, template,
                body, scheduled_at, next_attempt_at, created_at, updated_at)
            SELECT 'silent', key, 'raced', 'hk-raced', 'service', 'sms', '+8613812345678', 't', '张三丰您好', 1, 1, 1, 1
            FROM members WHERE id LIKE 'erased:%'
            """)
        let swept = herald(["--config", config, "members", "forget", "--sweep"])
        #expect(swept.status == .success && swept.output == "swept: 1 messages of members erased earlier cleared\n")
        #expect(try store.database.scalarInteger("SELECT count(*) FROM outbox WHERE address = '+8613812345678'") == 0)
        // The erasure receipt: who, and the id's hash, never the id.
        let audit = herald(["--config", config, "audit", "--format", "json"]).output
        let receipt = try #require(audit.split(separator: "\n").first { $0.contains("\"members forget\"") }.map(String.init))
        #expect(receipt.contains("\"actor\": \"dpo-wang\"") && receipt.contains("\"action\": \"members forget\""))
        #expect(receipt.contains("sha256:\(Digest.sha256("VIP-ZHANG-0001").hexString)") && !audit.contains("VIP-ZHANG-0001"))

        // Imported again later (an old export): a new member, and with --suppress nothing goes to the address again.
        let again = herald(["--config", config, "members", "forget", "M2", "--suppress"])
        #expect(again.output.hasSuffix("0 addresses suppressed)\n"), "an address listed twice")
        #expect(herald(["--config", config, "suppress", "list", "13900000002"]).status == .success)
    }

    @Test func idsComeFromAFileAndBadOnesAreNamed() throws {
        let (folder, config) = try configuredFolder()
        #expect(herald(["--config", config, "import", "members", try folder.write("m.csv", "id\nA1\nA2\n")]).status == .success)
        let file = try folder.write("ids.txt", "# erasure requests, December\nA1\n\n  A2  \n")
        #expect(herald(["--config", config, "members", "forget", "--file", file]).output.components(separatedBy: "erased").count == 3)
        let long = try folder.write("long.txt", "A1\n" + String(repeating: "x", count: 200) + "\n")
        #expect(herald(["--config", config, "members", "forget", "--file", long]).error.contains("long.txt:2: expected a member id"))
        #expect(herald(["--config", config, "members", "forget"]).status == .failure)
        let empty = herald(["--config", config, "members", "forget", "--file", try folder.write("none.txt", "# none\n")])
        #expect(empty.status == .failure && empty.error.contains("none.txt: no member ids in it"))
        #expect(herald(["--config", config, "import", "members", try folder.write("b.csv", "id\nB1\n")]).status == .success)
        let twice = herald(["--config", config, "members", "forget", "B1", "B1"])
        #expect(twice.status == .success && twice.output.components(separatedBy: "erased (").count == 2, "\(twice.error)")
        let hugeID = String(repeating: "x", count: 10_000)
        #expect(herald(["--config", config, "members", "forget", hugeID]).error.count < 300, "a 10,000-character id echoed whole")
        #expect(herald(["--config", config, "members", "forget", "A1", "--file", file]).error.contains("not both"))
    }
}
