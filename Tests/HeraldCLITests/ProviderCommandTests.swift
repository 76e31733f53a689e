import Foundation
import Testing
import HeraldCore
@_spi(StoreSQL) import HeraldTestSupport
@testable import HeraldCLI

private let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// What marketers and operators see of providers (issue 12): `validate` on the examples and on
/// a broken mapping, `preview` with each provider's template and params and the estimated cost.
@Suite struct ProviderCommandTests {
    /// deploy/herald.json5 against the repository's triggers and templates: the example a
    /// team copies must stay valid (its secrets are absent here: warnings only).
    @Test func theProductionExampleIsValid() throws {
        let folder = try TemporaryDirectory()
        let text = try String(contentsOf: repository.appendingPathComponent("deploy/herald.json5"), encoding: .utf8)
            .replacingOccurrences(of: "/etc/herald/Triggers", with: repository.appendingPathComponent("Triggers").path)
            .replacingOccurrences(of: "/etc/herald/MessageTemplates",
                                  with: repository.appendingPathComponent("MessageTemplates").path)
            .replacingOccurrences(of: "/var/lib/herald/herald.db", with: folder.file("h.db"))
        let result = herald(["validate", try folder.write("herald.json5", text)])
        #expect(result.status == .success, "\(result.error)")
        #expect(result.error.contains("warning: providers.tencent.secret_id: secret 'tencent_secret_id' is not set here"))
    }

    /// The sandbox routing lines, uncommented: its templates are mapped for every provider
    /// (both SMS providers, WeChat's fields within their lengths).
    @Test func theSandboxGoesLiveByUncommentingOneLine() throws {
        let folder = try TemporaryDirectory()
        let sandbox = repository.appendingPathComponent("Sandbox")
        let text = try String(contentsOf: sandbox.appendingPathComponent("herald.json5"), encoding: .utf8)
            .replacingOccurrences(of: "    sms: { adapter: \"log\"", with: "    // sms: { adapter: \"log\"")
            .replacingOccurrences(of: "    // sms: { providers:", with: "    sms: { providers:")
            .replacingOccurrences(of: "    wechat: { adapter: \"log\"", with: "    // wechat: { adapter: \"log\"")
            .replacingOccurrences(of: "    // wechat: { providers:", with: "    wechat: { providers:")
            .replacingOccurrences(of: "    email: { adapter: \"log\"", with: "    // email: { adapter: \"log\"")
            .replacingOccurrences(of: "    // email: { providers:", with: "    email: { providers:")
            .replacingOccurrences(of: "\"../", with: "\"\(repository.path)/")
            .replacingOccurrences(of: ".store/", with: folder.file("store") + "/")
        let config = try folder.write("herald.json5", text)
        let result = herald(["validate", config])
        #expect(result.status == .success, "\(result.error)")
        #expect(result.output.contains("valid — 7 triggers"))
        // preview shows what each provider would be sent, and what it would cost.
        try FileManager.default.copyItem(atPath: sandbox.appendingPathComponent("members.csv").path,
                                         toPath: folder.file("members.csv"))
        try FileManager.default.copyItem(atPath: sandbox.appendingPathComponent("events.ndjson").path,
                                         toPath: folder.file("events.ndjson"))
        let json = herald(["preview", "--sandbox", folder.path, "--format", "json"])
        #expect(json.status == .success, "\(json.error)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        let planned = try #require(object["planned"] as? [[String: Any]])
        let sms = try #require(planned.first { $0["channel"] as? String == "sms" && $0["trigger"] as? String == "silent_90" })
        let content = try #require(sms["provider_content"] as? [String: [String: Any]])
        #expect(content["tencent"]?["template_id"] as? String == "2001008")
        let params = try #require(content["tencent"]?["params"] as? [String])
        #expect(params.count == 5 && params[4] == sms["link_token"] as? String)
        #expect((content["aliyun"]?["params"] as? [String: String])?["token"] == sms["link_token"] as? String)
        let total = try #require(object["estimated_cost_yuan"] as? Double)
        let smsSegments = planned.filter { $0["channel"] as? String == "sms" }.compactMap { $0["segments"] as? Int }
        #expect(abs(total - Double(smsSegments.reduce(0, +)) * 0.045) < 1e-9)
        let table = herald(["preview", "--sandbox", folder.path, "--format", "table", "--trigger", "silent_90"])
        #expect(table.output.contains("→ tencent: template_id 2001008 · params "))
        #expect(table.output.contains("→ aliyun: template_code SMS_460001008 · params name="))
        #expect(table.output.contains("Estimated cost ¥"))
    }

    @Test func validateNamesAMissingMapping() throws {
        let fixture = try EvaluationFixture(config: """
            {
              store: { sqlite: "h.db" },
              providers: { tencent: { adapter: "tencent_sms", secret_id: "a", secret_key: "b", sdk_app_id: "1400006666",
                                      sign_name: "悦享会员" } },
              channels: { sms: { providers: ["tencent"] } },
            }
            """, triggers: ["silent": EvaluationFixture.trigger("silent", kind: "inactivity", "params: { days: 30 }")])
        let result = herald(["validate", fixture.configPath])
        #expect(result.status == .problemsFound)
        #expect(result.error.contains("silent.json5:1:47: template 't' has no mapping for provider 'tencent'"), "\(result.error)")
    }
}
