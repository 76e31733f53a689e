import Foundation
import Testing
import HeraldCore
@_spi(StoreSQL) @testable import HeraldStore
@_spi(StoreSQL) import HeraldTestSupport
@testable import HeraldCLI

/// Encryption at rest (SPEC 9): with store.key, no name, phone, e-mail or openid is stored in
/// the clear, everything works as before (planning, the suppression list, exports), a store
/// refuses to open without its key, and `store rekey` encrypts a plain store and rotates keys
/// while the suppression list keeps holding.
@Suite(.timeLimit(.minutes(3))) struct EncryptionTests {
    static let firstKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="   // "0123456789abcdef" × 2
    static let secondKey = "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA="  // "fedcba9876543210" × 2
    static let identifiers = ["张三丰", "13812345678", "zhangsan@example.cn", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
                              "13900000002", "13700000003"]

    /// A folder with a config on `backend` (`store` entry completed by `keys`), a silent-30-days
    /// trigger, and three members: M1 with every address, M2 whose number is suppressed below,
    /// M3 a new member id carrying M2's suppressed number later.
    private func setUp(_ backend: StoreBackend) throws -> (TemporaryDirectory, StoreLocation, (String) throws -> String) {
        let folder = try TemporaryDirectory()
        let location = try backend.makeLocation(in: folder)
        // Each store entry its own file (named after it), so that configs with different keys coexist.
        func config(_ keys: String) throws -> String {
            let entry = StoreBackend.configEntry(location).replacingOccurrences(of: " }", with: keys + " }")
            let name = "herald-\(String(UInt64(bitPattern: Int64(keys.hashValue)), radix: 16)).json5"
            return try folder.write(name, EvaluationFixture.config()
                .replacingOccurrences(of: #"store: { sqlite: "h.db" },"#, with: entry + ","))
        }
        try FileManager.default.createDirectory(atPath: folder.file("Triggers"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: folder.file("MessageTemplates/t"), withIntermediateDirectories: true)
        try folder.write("Triggers/silent.json5", EvaluationFixture.trigger("silent", kind: "inactivity",
                                                                           "params: { days: 30 }, category: 'service'"))
        try folder.write("MessageTemplates/t/sms.zh-CN.txt", "{{ member.name | default: \"会员\" }}您好，好久不见")
        try folder.write("m.csv", """
            id,name,phone,email,wechat_openid,consent_sms,last_active_at
            M1,张三丰,13812345678,zhangsan@example.cn,oUpF8uMuAJO_M2pxb1Q9zNjWeS6o,yes,2020-01-01
            M2,李四,13900000002,,,yes,2020-01-01
            """)
        return (folder, location, config)
    }

    /// Every value of every table, as stored, one row a line.
    private func dump(_ location: StoreLocation) throws -> String {
        let store = try StoreBackend.open(location, readOnly: true)
        var dump = ""
        for table in StoreCopier.tables {
            let columns = try StoreCopier.columnNames(of: table.name, in: store.database)
            try StoreCopier.forEachRow(table.name, columns: columns, order: table.order, in: store.database) { values in
                dump += values.map { $0 ?? "" }.joined(separator: "|") + "\n"
            }
        }
        return dump
    }

    @Test(arguments: StoreBackend.allCases) func anEncryptedStoreHoldsNoIdentifierInTheClear(_ backend: StoreBackend) async throws {
        let (folder, location, makeConfig) = try setUp(backend)
        let config = try makeConfig(", key: \"{{ secret.HERALD_STORE_KEY }}\"")
        let environment = ["HERALD_STORE_KEY": Self.firstKey]
        func run(_ arguments: [String], _ name: String) async throws -> (status: Int32, error: String) {
            let process = try launchHerald(config: config, arguments, folder: folder, stderrName: name, environment: environment)
            #expect(await Waiting.exit(of: process, within: .seconds(60)), "herald \(arguments) did not finish within 60 s")
            return (process.terminationStatus, (try? String(contentsOfFile: folder.file(name), encoding: .utf8)) ?? "")
        }
        #expect(try await run(["import", "members", folder.file("m.csv")], "import.txt").status == 0)
        #expect(try await run(["suppress", "add", "139 0000 0002"], "suppress.txt").status == 0)
        // A new member id with the suppressed number, consenting: stored as no; another, imported
        // with --allow-suppressed, is held back at planning. Neither is called.
        try folder.write("m3.csv", "id,name,phone,consent_sms,last_active_at\nM3,王五,13900000002,yes,2020-01-01\n")
        let guarded = try await run(["import", "members", folder.file("m3.csv")], "import3.txt")
        #expect(guarded.status == 0 && guarded.error.contains("is on the suppression list"), "\(guarded.error)")
        try folder.write("m4.csv", "id,name,phone,consent_sms,last_active_at\nM4,赵六,13900000002,yes,2020-01-01\n")
        #expect(try await run(["import", "members", "--allow-suppressed", folder.file("m4.csv")], "import4.txt").status == 0)
        let worker = try await run(["run", "--once"], "run.txt")
        #expect(worker.status == 0, "\(worker.error)")

        let sent = (try? String(contentsOfFile: folder.file("sms.jsonl"), encoding: .utf8)) ?? ""
        // The log channel masks numbers: who was called is told by the message, the one M1's template renders.
        #expect(sent.contains("+86138****5678") && sent.contains("张三丰您好"), "M1 was not messaged: \(sent)")
        #expect(!sent.contains("+86139****0002"), "a suppressed number was called")
        let store = try StoreBackend.open(location)
        try store.attach(StoreKeys(current: try StoreKeys.decode(Self.firstKey, setting: "key")), at: "test", readOnly: false)
        #expect(try store.database.scalarText("""
            SELECT s.reason FROM suppressions s JOIN members m ON m.key = s.member_key WHERE m.id = 'M4'
            """) == "address_suppressed", "M4 was not held back at planning by its sealed number")

        // Nothing identifying is stored in the clear, in any table …
        let stored = try dump(location)
        for identifier in Self.identifiers { #expect(!stored.contains(identifier), "\(identifier) is stored in the clear") }
        #expect(stored.contains("enc1:"))
        // … nor anywhere in the SQLite file and its log.
        if case .sqlite(let path) = location {
            var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            bytes += (try? Data(contentsOf: URL(fileURLWithPath: path + "-wal"))) ?? Data()
            for identifier in Self.identifiers {
                #expect(bytes.range(of: Data(identifier.utf8)) == nil, "\(identifier) is in the file")
            }
        }
        // The store reads as before through its key: members, exports, the list.
        let member = try #require(try store.member(id: "M1"))
        #expect(member.profile.name == "张三丰" && member.profile.phone?.e164 == "+8613812345678"
                && member.profile.wechatOpenID == "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o")
        let export = try #require(try store.exportMember(id: "M1"))
        #expect(export.tables.flatMap(\.rows).flatMap { $0 }.contains("zhangsan@example.cn"))
        var listed: [String] = []
        try store.forEachSuppressedAddress(kind: nil, only: []) { listed.append($0.address.address) }
        #expect(listed == ["+8613900000002"])
        #expect(try store.applyOptOutReply(phone: "+8613812345678", keyword: "T", at: Date(), provider: "p") == ["M1"],
                "an opt-out reply did not find its member by the blind index")

        // Without the key, or with another one: refused, saying why, before anything runs.
        let keyless = try await { () async throws -> (status: Int32, error: String) in
            let process = try launchHerald(config: config, ["run", "--once"], folder: folder, stderrName: "keyless.txt",
                                           environment: ["HERALD_STORE_KEY": Self.secondKey])
            #expect(await Waiting.exit(of: process, within: .seconds(60)))
            return (process.terminationStatus, (try? String(contentsOfFile: folder.file("keyless.txt"), encoding: .utf8)) ?? "")
        }()
        #expect(keyless.status == 2 && keyless.error.contains("is encrypted under key"), "\(keyless.error)")
        let plainConfig = try makeConfig("")
        let plain = herald(["--config", plainConfig, "members", "show", "M1"])
        #expect(plain.status == .failure && plain.error.contains("is encrypted") && plain.error.contains("set store.key"),
                "\(plain.error)")
        #expect(!plain.error.contains(Self.firstKey) && !keyless.error.contains(Self.secondKey), "a key was printed")
    }

    @Test(arguments: StoreBackend.allCases) func rekeyEncryptsAPlainStoreThenRotatesItsKey(_ backend: StoreBackend) throws {
        let (folder, location, makeConfig) = try setUp(backend)
        let plainConfig = try makeConfig("")
        #expect(herald(["--config", plainConfig, "import", "members", folder.file("m.csv")]).status == .success)
        #expect(herald(["--config", plainConfig, "suppress", "add", "13900000002"]).status == .success)
        #expect(herald(["--config", plainConfig, "store", "rekey"]).error.contains("store rekey needs store.key"))

        // A key for a store that holds plain data: it opens (reading both), and rekey seals everything.
        var config = try makeConfig(", key: \"\(Self.firstKey)\"")
        #expect(herald(["--config", config, "suppress", "list", "13900000002"]).output.contains("+86139****0002"))
        let first = herald(["--config", config, "store", "rekey", "--batch", "1"])
        #expect(first.status == .success, "\(first.error)")
        #expect(first.output.contains("re-sealed 2 members, 0 messages and 1 suppression list entries"), "\(first.output)")
        #expect(first.output.contains("retired: plaintext"))
        var stored = try dump(location)
        for identifier in Self.identifiers { #expect(!stored.contains(identifier), "\(identifier) is stored in the clear") }
        #expect(herald(["--config", plainConfig, "members", "show", "M1"]).error.contains("is encrypted"))

        // Rotation: the new key with the old one as previous; before rekey runs, the list still holds.
        config = try makeConfig(", key: \"\(Self.secondKey)\", previous_key: \"\(Self.firstKey)\"")
        try folder.write("m3.csv", "id,phone,consent_sms\nM3,13900000002,yes\n")
        let guarded = herald(["--config", config, "import", "members", folder.file("m3.csv")])
        #expect(guarded.status == .success && guarded.error.contains("is on the suppression list"), "\(guarded.error)")
        let rotated = herald(["--config", config, "--actor", "ops-li", "store", "rekey", "--batch", "2"])
        #expect(rotated.status == .success, "\(rotated.error)")
        // M3 came in under the new key already: the two older members are re-sealed.
        #expect(rotated.output.contains("re-sealed 2 members, 0 messages and 1 suppression list entries"), "\(rotated.output)")
        #expect(rotated.output.contains("remove store.previous_key"))
        stored = try dump(location)
        for identifier in Self.identifiers { #expect(!stored.contains(identifier), "\(identifier) is stored in the clear") }
        let store = try StoreBackend.open(location)
        #expect(try store.database.scalarInteger("SELECT count(*) FROM address_suppressions") == 1, "old forms were left")

        // Only the new key opens it now; the old one is refused.
        let newOnly = try makeConfig(", key: \"\(Self.secondKey)\"")
        let shown = herald(["--config", newOnly, "members", "show", "M1"])
        #expect(shown.status == .success && shown.output.contains("+86138****5678"), "\(shown.error)")
        let oldOnly = try makeConfig(", key: \"\(Self.firstKey)\"")
        #expect(herald(["--config", oldOnly, "members", "show", "M1"]).error.contains("is encrypted under key"))
        let audit = herald(["--config", newOnly, "audit", "--actor", "ops-li"]).output
        #expect(audit.contains("store rekey") && audit.contains("2 members"), "\(audit)")
        // A key that is not 32 bytes of base64 is named at its line.
        let short = try makeConfig(", key: \"c2hvcnQ=\"")
        let refused = herald(["--config", short, "members", "show", "M1"])
        #expect(refused.status == .failure && refused.error.contains("store.key: expected 32 bytes"), "\(refused.error)")
        #expect(refused.error.contains(".json5:2:"))
    }
}
