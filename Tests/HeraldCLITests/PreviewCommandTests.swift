import Foundation
import Testing
import HeraldCore
@_spi(StoreSQL) import HeraldTestSupport
@testable import HeraldCLI

private let sandbox = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Sandbox").path

@Suite struct PreviewCommandTests {
    /// The member guides' campaigns in Triggers/examples validate and preview on the sandbox's data.
    @Test func theExampleCampaignsValidateAndPreviewOnTheSandbox() throws {
        let examples = (sandbox as NSString).appendingPathComponent("examples")
        let validation = herald(["validate", examples])
        #expect(validation.status == .success, "\(validation.output)\(validation.error)")
        #expect(validation.output.contains("9 triggers (9 enabled)"))
        let result = herald(["preview", "--sandbox", examples, "--format", "json"])
        #expect(result.status == .success, "\(result.error)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        let planned = try #require(object["planned"] as? [[String: Any]])
        let triggers = Set(planned.compactMap { $0["trigger"] as? String })
        // The campaigns the sandbox's Saturday has members for; the broadcast goes to its segment only.
        #expect(triggers.isSuperset(of: ["ex_birthday_coupon", "ex_cart_baby", "ex_points_expiry_30d", "ex_promo_broadcast",
                                         "ex_purchase_recommendation", "ex_low_balance"]))
        let suppressed = try #require(object["suppressed"] as? [[String: Any]])
        #expect(suppressed.contains { $0["trigger"] as? String == "ex_promo_broadcast" && $0["reason"] as? String == "audience" })
    }

    @Test func sandboxPreviewIsSPECJSONAndTellsTheStories() throws {
        let result = herald(["preview", "--sandbox", sandbox, "--format", "json"])
        #expect(result.status == .success, "\(result.error)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        #expect(object["at"] as? String == "2026-02-28T09:30:00+08:00")
        let planned = try #require(object["planned"] as? [[String: Any]])
        let suppressed = try #require(object["suppressed"] as? [[String: Any]])
        #expect(planned.first.map { Set($0.keys) } == ["trigger", "member", "channel", "scheduled_at", "template", "variant", "to", "text", "segments",
                                                       "link_token", "coupon", "occurrence", "idempotency_key",
                                                       "provider_content", "estimated_cost_yuan"])
        func plannedFor(_ name: String) -> [String: Any]? {
            planned.first { ($0["text"] as? String)?.contains(name) == true || ($0["member"] as? String) == name }
        }
        // 王芳 was born on 29 February 2000: in 2026 her birthday is the 28th.
        let leap = try #require(plannedFor("王芳"))
        #expect(leap["trigger"] as? String == "birthday" && leap["scheduled_at"] as? String == "2026-02-28T10:00:00+08:00")
        #expect((leap["to"] as? String)?.contains("****") == true)
        // Emily Chen lives in Los Angeles, where it is still the 27th — her birthday; the window opens at 18:00 there.
        let emily = try #require(plannedFor("Emily Chen"))
        #expect(emily["scheduled_at"] as? String == "2026-02-27T18:00:00-08:00")
        // She draws variant b, whose en-US text she gets (locale before variant wording).
        #expect(emily["variant"] as? String == "b")
        #expect((emily["text"] as? String)?.hasPrefix("【悦享会员】One more year to celebrate, Emily Chen!") == true)
        let reasons = suppressed.compactMap { "\($0["trigger"]!) \($0["reason"]!)" }.sorted()
        #expect(reasons == [
            "birthday audience", "birthday holdout", "birthday no_channel", "birthday no_consent", "low_balance cap",
            "points_expiry no_consent", "silent_90 holdout",
        ])
        #expect(planned.count == 23)
        // 朱秀英 refused SMS and has no push, but follows on WeChat; 何军 agreed to e-mail only.
        let wechat = try #require(plannedFor("朱秀英"))
        #expect(wechat["channel"] as? String == "wechat" && wechat["to"] as? String == "oUpF****")
        let email = try #require(plannedFor("何军"))
        #expect(email["channel"] as? String == "email" && email["trigger"] as? String == "lost_180")
        #expect((email["to"] as? String)?.hasSuffix("*****@example.cn") == true)
        #expect(planned.allSatisfy { ($0["to"] as? String)?.range(of: #"\d{11}"#, options: .regularExpression) == nil })
    }

    @Test func tablePreviewAndFilters() {
        let table = herald(["preview", "--sandbox", sandbox, "--format", "table", "--trigger", "low_balance"])
        #expect(table.status == .success)
        #expect(table.output.contains("low_balance 储值余额不足"))
        #expect(table.output.contains("cap of 1 marketing send per 1d reached"))
        #expect(!table.output.contains("birthday →"))
        let unknown = herald(["preview", "--sandbox", sandbox, "--trigger", "nope"])
        #expect(unknown.status == .failure && unknown.error.contains("no trigger 'nope'"))
        // A mistyped member id is named, not previewed as nobody; a real one previews only them.
        let typo = herald(["preview", "--sandbox", sandbox, "--member", "M99999"])
        #expect(typo.status == .failure && typo.error.contains("--member: no member with id 'M99999'") && typo.output.isEmpty)
        let one = herald(["preview", "--sandbox", sandbox, "--format", "json", "--member", "M47302"])
        #expect(one.status == .success && one.output.contains("M47302") && !one.output.contains("M87905"))
        // A day later it is Kevin Wu's birthday in Los Angeles (28 February there), and nobody else's.
        let later = herald(["preview", "--sandbox", sandbox, "--format", "json", "--at", "2026-03-01T09:30:00+08:00"])
        #expect(later.status == .success)
        #expect(later.output.components(separatedBy: "\"trigger\": \"birthday\"").count == 2 && later.output.contains("Kevin Wu"))
    }

    @Test func previewOfAConfiguredStoreWritesNothing() throws {
        let (folder, config) = try configuredFolder()
        try folder.write("members.csv", "id,phone,consent_sms,last_active_at\nU1,13800000001,yes,2025-01-01\n")
        #expect(herald(["--config", config, "import", "members", folder.file("members.csv")]).status == .success)
        try FileManager.default.createDirectory(atPath: folder.file("Triggers"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: folder.file("MessageTemplates/t"), withIntermediateDirectories: true)
        try folder.write("herald.json5", EvaluationFixture.config().replacingOccurrences(of: "h.db", with: "data/h.db"))
        try folder.write("Triggers/silent.json5", EvaluationFixture.trigger("silent", kind: "inactivity", "params: { days: 30 }"))
        try folder.write("MessageTemplates/t/sms.zh-CN.txt", "好久不见")
        let empty = try TemporaryDirectory()
        try empty.write("herald.json5", try String(contentsOfFile: config, encoding: .utf8))
        for sub in ["Triggers", "MessageTemplates"] {
            try FileManager.default.createDirectory(atPath: empty.file(sub), withIntermediateDirectories: true)
        }
        #expect(herald(["--config", empty.file("herald.json5"), "preview"]).error.contains("no store at"))
        let before = try Data(contentsOf: URL(fileURLWithPath: folder.file("data/h.db")))
        let preview = herald(["--config", config, "preview", "--at", "2026-03-10 12:00:00", "--format", "json"])
        #expect(preview.status == .success, "\(preview.error)")
        #expect(preview.output.contains("\"text\": \"【品牌】好久不见回T退订\""))
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder.file("data/h.db"))) == before)
    }

    @Test func validatePrintsEveryProblemAndExitsNonZero() throws {
        let fixture = try EvaluationFixture(triggers: [
            "a": "{ id: 'a', kind: 'birthday', channels: ['sms'], template: 't', holdout: 2 }",
            "b": "{ id: 'b', kind: 'sometimes', channels: ['sms'], template: 't', colour: 'red' }",
        ])
        let result = herald(["validate", fixture.folder.path])
        #expect(result.status == .rowsRejected)
        let lines = result.error.split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        #expect(lines[0].hasSuffix("Triggers/a.json5:1:73: holdout: expected a share from 0 up to (not including) 1, such as 0.1, found 2.0"))
        #expect(lines[1].hasSuffix("Triggers/b.json5:1:18: kind: expected one of birthday, inactivity, cart_abandonment, low_balance, points_expiry, event, broadcast, found \"sometimes\""))
        #expect(lines[2].contains("Triggers/b.json5:1:65: unknown key 'colour'"))
        #expect(lines[3] == "3 problems in 2 files")
        let sandboxResult = herald(["validate", sandbox])
        #expect(sandboxResult.status == .success && sandboxResult.output.contains("valid — 7 triggers"))
    }
}

/// `herald run --sandbox DIR --once`: the simulated day's outbox, and a last line whose row
/// counts are the table's (a send the gateway took but its receipt failed is counted failed).
@Suite(.timeLimit(.minutes(2))) struct SandboxRunTests {
    @Test func theLastLineCountsTheRowsAsTheyEnded() throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        // A copy, so the run's log files do not land in the repository's sandbox.
        let folder = try TemporaryDirectory()
        for name in ["Sandbox", "Triggers", "MessageTemplates"] {
            try FileManager.default.copyItem(atPath: repository.appendingPathComponent(name).path, toPath: folder.file(name))
        }
        try? FileManager.default.removeItem(atPath: folder.file("Sandbox/.store"))
        let result = herald(["run", "--sandbox", folder.file("Sandbox"), "--once"])
        #expect(result.status == .success, "\(result.error)")
        let lines = result.output.split(separator: "\n").map(String.init)
        let rows = lines.filter { $0.range(of: #"^\s*\d+  "#, options: .regularExpression) != nil }
        let last = try #require(lines.last)
        #expect(last.hasPrefix("planned \(rows.count), "), "\(last)")
        let rowsNow = try #require(last.components(separatedBy: "rows now: ").last)
        for status in ["delivered", "sent", "failed"] {
            let count = rows.count { $0.contains("  \(status)  ") }
            #expect(count == 0 ? !rowsNow.contains(status) : rowsNow.contains("\(count) \(status)"),
                    "\(status): \(count) rows, last line: \(last)")
        }
        #expect(rows.contains { $0.contains("  failed  ") } && last.contains("1 failed"), "the receipt-failed row is not counted")
    }
}
