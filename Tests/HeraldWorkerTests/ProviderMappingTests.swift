import Foundation
import Testing
import HeraldCore
import HeraldDelivery
@_spi(StoreSQL) import HeraldTestSupport

/// `herald validate` on template mappings (SPEC 7, issue 12): every trigger that can reach a
/// template-based provider has a mapping for it, of the shape the provider needs, whose params
/// can be filled and stay within the provider's documented lengths.
@Suite struct ProviderMappingTests {
    static func config(_ channels: String = "sms: { providers: ['tencent', 'aliyun'] }", tencentExtra: String = "") -> String {
        """
        {
          store: { sqlite: "h.db" },
          providers: {
            tencent: { adapter: "tencent_sms", secret_id: "id", secret_key: "key", sdk_app_id: "1400006666",
                       sign_name: "悦享会员"\(tencentExtra) },
            aliyun: { adapter: "aliyun_sms", access_key_id: "id", access_key_secret: "key", sign_name: "悦享会员" },
          },
          channels: { \(channels), push: { adapter: "log", path: "push.jsonl" } },
          sms: { signature: "【悦享会员】", opt_out: "回T退订" },
          links: { base: "https://s.example.cn/" },
        }
        """
    }

    /// Problems of the catalog and of the providers' checks, file names without folders.
    private func problems(config: String = ProviderMappingTests.config(), mapping: String?,
                          trigger: String = "params: { days: 30 }") throws -> [String] {
        var templates = EvaluationFixture.plainTemplates
        if let mapping { templates["t/sms.providers.json5"] = mapping }
        let fixture = try EvaluationFixture(config: config, triggers: [
            "silent": EvaluationFixture.trigger("silent", kind: "inactivity", trigger),
        ], templates: templates)
        let catalogProblems = fixture.problems()
        guard catalogProblems.isEmpty else { return catalogProblems }
        let checked = ChannelFactory.check(try fixture.catalog(), secrets: SecretSource(environment: [:]))
        return checked.problems.map { $0.description.replacingOccurrences(of: fixture.folder.path + "/", with: "") }
    }

    static let good = """
        { tencent: { template_id: "1234567", params: ["{{ member.name | default: \\"会员\\" }}", "{{ inactive_days }}"] },
          aliyun: { template_code: "SMS_153055065", params: { name: "{{ member.name | default: \\"会员\\" }}" } } }
        """

    @Test func aCompleteMappingPasses() throws {
        #expect(try problems(mapping: Self.good) == [])
    }

    @Test func aProviderWithoutAMappingIsReportedAtTheTrigger() throws {
        let onlyAliyun = #"{ aliyun: { template_code: "SMS_1", params: { name: "{{ member.name | default: \"会员\" }}" } } }"#
        #expect(try problems(mapping: onlyAliyun) == [
            "Triggers/silent.json5:1:47: template 't' has no mapping for provider 'tencent', which channel sms sends through: "
                + "expected MessageTemplates/t/sms.providers.json5 with tencent: { template_id: \"…\", params: … }",
        ])
        // No file at all: the same, for both providers.
        #expect(try problems(mapping: nil).count == 2)
    }

    @Test func placeholdersInParamsAreCheckedLikeTheLocalText() throws {
        let mapping = """
            { tencent: { template_id: "1", params: ["{{ member.nmae }}", "{{ coupon.code }}", "{{ cart.sku }}"] },
              aliyun: { template_code: "SMS_1", params: {} } }
            """
        let file = "MessageTemplates/t/sms.providers.json5"
        let found = try problems(mapping: mapping)
        #expect(found.count == 3, "\(found)")
        #expect(found[0].hasPrefix("\(file):1:42: unknown value 'member.nmae' (did you mean 'member.name'? expected one of: "))
        #expect(found[1] == "\(file):1:63: 'coupon.code' cannot be filled for trigger 'silent' (Triggers/silent.json5): "
                    + "it has no offer")
        #expect(found[2].hasPrefix("\(file):1:84: 'cart.sku' cannot be filled for trigger 'silent'"))
    }

    @Test func theShapeEachProviderNeedsIsChecked() throws {
        let mapping = """
            { tencent: { template: "1", params: { name: "x" } },
              aliyun: { template_code: "SMS_{{ member.id }}", params: ["x"], extra: 1 },
              tencnet: { template_id: "1" } }
            """
        let file = "MessageTemplates/t/sms.providers.json5"
        #expect(try problems(mapping: mapping) == [
            "\(file):3:3: 'tencnet' is not defined under providers in herald.json5 (defined: tencent, aliyun)",
        ])
        let fixed = mapping.replacingOccurrences(of: "tencnet: { template_id: \"1\" }", with: "")
        #expect(try problems(mapping: fixed) == [
            "\(file):1:24: tencent: unknown key 'template' (expected template_id, params)",
            "\(file):1:12: tencent: template_id: missing (expected the approved template's id)",
            "\(file):1:37: tencent: params: expected a list of strings, filled into the template's variables in order",
            "\(file):2:73: aliyun: unknown key 'extra' (expected template_code, params)",
            "\(file):2:28: aliyun: template_code: expected the approved template's id as plain text, such as \"1234567\"",
            "\(file):2:59: aliyun: params: expected an object of strings by the template's variable names",
        ])
    }

    @Test func paramsLongerThanTheProviderAllowsInTheWorstCaseAreReported() throws {
        // A name renders up to 10 characters: with 3 more, 13 > Tencent's 12 (Alibaba allows 35).
        let mapping = """
            { tencent: { template_id: "1", params: ["亲爱的{{ member.name | default: \\"会员\\" }}"] },
              aliyun: { template_code: "SMS_1", params: { name: "亲爱的{{ member.name | default: \\"会员\\" }}" } } }
            """
        let found = try problems(mapping: mapping)
        #expect(found.count == 1 && found[0].hasPrefix("MessageTemplates/t/sms.providers.json5:1:41: tencent: params[0] can be "
                                                        + "13 characters for trigger 'silent' in the worst case; tencent allows 12"),
                "\(found)")
        // An account with larger limits says so.
        #expect(try problems(config: Self.config(tencentExtra: ", param_max_length: 20"), mapping: mapping) == [])
    }

    @Test func linksCannotGoInParams() throws {
        let mapping = """
            { tencent: { template_id: "1", params: ["{{ link \\"https://shop.example.cn/\\" }}"] },
              aliyun: { template_code: "SMS_1", params: {} } }
            """
        let found = try problems(mapping: mapping)
        #expect(found.count == 1 && found[0].contains("tencent: params[0]: a {{ link }} cannot go in a param"), "\(found)")
    }

    @Test func anSMSProviderCannotServeAnotherKind() throws {
        let config = Self.config().replacingOccurrences(of: "push: { adapter: \"log\", path: \"push.jsonl\" }",
                                                        with: "push: { providers: ['tencent'] }")
        let found = try problems(config: config, mapping: Self.good)
        #expect(found.count == 1 && found[0].hasSuffix("channels.push: provider 'tencent' (tencent_sms) delivers sms, not push"),
                "\(found)")
    }
}
