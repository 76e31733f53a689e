import Foundation
import Testing
import HeraldCore
@_spi(StoreSQL) import HeraldTestSupport
@testable import HeraldCLI

/// `herald suppress` (SPEC 9): an address on the list is never messaged, whichever member
/// carries it — one imported later under a new id, in another spelling, included.
@Suite(.timeLimit(.minutes(2))) struct SuppressCommandTests {
    private func folder(_ backend: StoreBackend = .sqlite) throws -> (TemporaryDirectory, String) {
        let folder = try TemporaryDirectory()
        let store = StoreBackend.configEntry(try backend.makeLocation(in: folder))
        let config = try folder.write("herald.json5", EvaluationFixture.config()
            .replacingOccurrences(of: #"store: { sqlite: "h.db" },"#, with: store + ","))
        try FileManager.default.createDirectory(atPath: folder.file("Triggers"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: folder.file("MessageTemplates/t"), withIntermediateDirectories: true)
        try folder.write("Triggers/silent.json5", EvaluationFixture.trigger("silent", kind: "inactivity",
                                                                           "params: { days: 30 }, category: 'service'"))
        try folder.write("MessageTemplates/t/sms.zh-CN.txt", "好久不见")
        return (folder, config)
    }

    /// The preview's planned and suppressed members of the trigger, as "M1 planned" / "M2 address_suppressed".
    private func decisions(_ config: String) throws -> [String] {
        let preview = herald(["--config", config, "preview", "--format", "json"])
        #expect(preview.status == .success, "\(preview.error)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(preview.output.utf8)) as? [String: Any])
        let planned = (object["planned"] as? [[String: Any]] ?? []).map { "\($0["member"] ?? "?") planned" }
        let suppressed = (object["suppressed"] as? [[String: Any]] ?? []).map { "\($0["member"] ?? "?") \($0["reason"] ?? "?")" }
        return (planned + suppressed).sorted()
    }

    @Test(arguments: StoreBackend.allCases)
    func aSuppressedNumberIsNeverMessagedWhoeverCarriesIt(_ backend: StoreBackend) async throws {
        let (folder, config) = try folder(backend)
        let members = try folder.write("m.csv", """
            id,phone,consent_sms,last_active_at
            M1,13812345678,yes,2020-01-01
            M2,13900000002,yes,2020-01-01
            """)
        #expect(herald(["--config", config, "import", "members", members]).status == .success)
        #expect(try decisions(config) == ["M1 planned", "M2 planned"])

        let added = herald(["--config", config, "--actor", "王经理", "suppress", "add", "138 1234 5678", "--reason", "客户投诉"])
        #expect(added.status == .success, "\(added.error)")
        #expect(added.output == "suppressed: 1 address added, 0 already listed\n")
        // The same number under a new member id, written another way, in a later import.
        // Its consent yes is not taken (stored as no, with a warning naming the line); M1's yes, already stored, stays.
        let later = try folder.write("later.csv", """
            id,phone,consent_sms,last_active_at
            M3,+86 138-1234-5678,yes,2020-01-01
            M4,13700000004,yes,2020-01-01
            """)
        let imported = herald(["--config", config, "import", "members", later])
        #expect(imported.status == .success)
        #expect(imported.error.contains("later.csv:2: warning: consent_sms yes not applied: +86138****5678 is on the "
                                        + "suppression list"), "\(imported.error)")
        #expect(!imported.error.contains("later.csv:3"))
        let oldExport = try folder.write("old.csv", "id,name,consent_sms\nM1,张三,yes\n")
        #expect(!herald(["--config", config, "import", "members", oldExport]).error.contains("warning"))
        #expect(try decisions(config) == ["M1 address_suppressed", "M2 planned", "M3 address_suppressed", "M4 planned"])

        let worker = try launchHerald(config: config, ["run", "--once"], folder: folder)
        #expect(await Waiting.exit(of: worker, within: .seconds(60)), "herald run --once did not finish within 60 s")
        #expect(worker.terminationStatus == 0)
        let sent = try String(contentsOfFile: folder.file("sms.jsonl"), encoding: .utf8)
        let recipients = sent.split(separator: "\n").compactMap { $0.firstMatch(of: /"to": "([^"]+)"/)?.1 }
        #expect(recipients.sorted() == ["+86137****0004", "+86139****0002"], "\(sent)")

        let listed = herald(["--config", config, "suppress", "list", "--format", "json"])
        #expect(listed.status == .success)
        #expect(listed.output.contains("\"address\": \"+86138****5678\"") && listed.output.contains("added by 王经理: 客户投诉"))
        #expect(!listed.output.contains("13812345678"), "an address shown unmasked")

        let removed = herald(["--config", config, "suppress", "remove", "+8613812345678"])
        #expect(removed.status == .success && removed.output == "removed: 1 address, 0 not on the list\n")
        // Taken off the list, consent is what the store holds: M1's yes was kept; M3's was refused,
        // until an import says so explicitly.
        #expect(try decisions(config).filter { $0.hasPrefix("M1") || $0.hasPrefix("M3") } == ["M1 planned", "M3 no_consent"])
        #expect(herald(["--config", config, "suppress", "add", "13812345678"]).status == .success)
        let explicit = herald(["--config", config, "import", "members", later, "--allow-suppressed"])
        #expect(explicit.status == .success && !explicit.error.contains("warning"))
        #expect(herald(["--config", config, "suppress", "remove", "13812345678"]).status == .success)
        #expect(try decisions(config).filter { $0.hasPrefix("M1") || $0.hasPrefix("M3") } == ["M1 planned", "M3 planned"])
    }

    @Test func badAddressesAreNamedAndTheGoodOnesStillCount() throws {
        let (directory, config) = try folder()
        defer { withExtendedLifetime(directory) {} }
        let added = herald(["--config", config, "suppress", "add", "13812345678", "1381234", "zhang@example.cn",
                            "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", "ab", "13812345678"])
        #expect(added.status == .rowsRejected, "\(added.error)")
        #expect(added.output == "suppressed: 3 addresses added, 0 already listed\n")
        #expect(added.error.components(separatedBy: "is not").count == 3, "\(added.error)")
        let table = herald(["--config", config, "suppress", "list", "--format", "table"])
        #expect(table.output.contains("sms     +86138****5678") && table.output.contains("wechat  oUpF****"))
        #expect(table.output.hasSuffix("3 addresses listed\n"))
        let asked = herald(["--config", config, "suppress", "list", "13900000000", "zhang@example.cn", "--format", "json"])
        #expect(asked.status == .rowsRejected && asked.error.contains("+86139****0000 is not on the suppression list"))
        #expect(asked.output.components(separatedBy: "\n").filter { !$0.isEmpty }.count == 1)
        let push = herald(["--config", config, "suppress", "add", "--kind", "push", "a1b2c3d4e5f6"])
        #expect(push.status == .success && push.output.hasPrefix("suppressed: 1 address added"))
        // An APNs token (64 hexadecimal digits) is told from an openid without --kind.
        let apns = String(repeating: "740f4707bebcf74f", count: 4)
        #expect(herald(["--config", config, "suppress", "add", apns]).status == .success)
        let token = herald(["--config", config, "suppress", "list", apns, "--format", "json"])
        #expect(token.status == .success && token.output.contains("\"kind\": \"push\""), "\(token.output)")
        #expect(herald(["--config", config, "suppress", "add", "--kind", "fax", "1"]).error.contains("--kind: expected one of"))
        // Not found: 2 when nothing named was listed, 1 when some were (and are removed).
        #expect(herald(["--config", config, "suppress", "remove", "13700000000"]).status == .failure)
        #expect(herald(["--config", config, "suppress", "remove", "13700000000", apns]).status == .rowsRejected)
        #expect(herald(["--config", config, "suppress", "list", apns]).status == .failure, "removed, so not found")
        #expect(herald(["--config", config, "suppress", "add"]).status == .failure)
        let huge = herald(["--config", config, "suppress", "add", String(repeating: "a", count: 300) + "@x.cn",
                           String(repeating: "1", count: 100_000)])
        #expect(huge.status == .rowsRejected && huge.output.hasPrefix("suppressed: 0 addresses added"))
        #expect(huge.error.count < 600, "\(huge.error.count) characters echoed for two bad arguments")
        #expect(herald(["--config", config, "--actor", "", "suppress", "list"]).error.contains("--actor: expected"))
    }
}
