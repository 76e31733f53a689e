import Foundation
import Testing
import HeraldCore
@_spi(StoreSQL) import HeraldTestSupport

/// `herald validate`'s checks: every problem, with file:line:column, all at once.
@Suite struct CatalogValidationTests {
    @Test func brokenTriggerFilesReportEveryProblemWithItsPosition() throws {
        let fixture = try EvaluationFixture(config: EvaluationFixture.config("quiet_hours: '21:00-08:00',"), triggers: [
            "a_typo": """
                {
                  id: "Typo!",
                  kind: "birthday",
                  chanels: ["sms"],
                  template: "t",
                }
                """,
            "b_values": """
                {
                  id: "values",
                  kind: "inactivity",
                  params: { days: 0, max_days: "x" },
                  channels: ["fax"],
                  template: "t",
                  holdout: 1.5,
                  cooldown: "30 days",
                  variants: [ { id: "a", template: "t", weight: 0 } ],
                }
                """,
            "c_window": """
                {
                  id: "night",
                  kind: "low_balance",
                  params: { below: 100 },
                  channels: ["sms"],
                  template: "missing",
                  window: { hours: ["22:00-23:00"], days: ["mon", "someday"] },
                  audience: { field: "shoe_size", gt: 40 },
                }
                """,
            "d_syntax": "{ id: 'x', kind: 'birthday' channels: ['sms'] }",
        ])
        #expect(fixture.problems() == [
            "Triggers/a_typo.json5:1:1: channels: missing (expected a list of strings)",
            "Triggers/a_typo.json5:2:7: id: expected lowercase letters, digits, '_' or '-' ([a-z0-9_-]+), found \"Typo!\"",
            "Triggers/a_typo.json5:4:3: unknown key 'chanels' (did you mean 'channels'? expected one of: id, name, enabled, kind, params, audience, channels, template, window, category, priority, cooldown, holdout, variants, offer, expire, attribution, deliver, goal)",
            "Triggers/b_values.json5:4:19: params.days: expected a whole number from 1 to 36500, found the number 0",
            "Triggers/b_values.json5:4:32: params.max_days: expected a whole number from 1 to 36500, found \"x\"",
            "Triggers/b_values.json5:7:12: holdout: expected a share from 0 up to (not including) 1, such as 0.1, found 1.5",
            "Triggers/b_values.json5:8:13: cooldown: expected a duration from 1m to 3650d (such as 90s, 15m, 2h, 30d or 1w), found \"30 days\"",
            "Triggers/b_values.json5:9:49: variants[].weight: expected a number from 0.001 to 1000000, found the number 0",
            "Triggers/c_window.json5:7:43: window.days: expected mon, tue, wed, thu, fri, sat or sun, found \"someday\"",
            "Triggers/c_window.json5:8:22: audience.field: expected one of age, days_since_activity, days_since_purchase, events_in, locale, points_balance, purchases_in, region, registered_days, registration_channel, rfm.f, rfm.m, rfm.r, spent_in, stored_value, tags, tier, total_spent, found \"shoe_size\"",
            "Triggers/d_syntax.json5:1:29: expected ',' or '}', found 'c'",
        ])
    }

    /// A trigger whose audience admits only en-US members needs an en-US text, not a zh-CN one
    /// it could never use; a template that fails to parse is not also reported missing.
    @Test func templatesAreRequiredInTheLocalesTheAudienceAdmits() throws {
        let fixture = try EvaluationFixture(triggers: [
            "english": EvaluationFixture.trigger("english", kind: "birthday", "audience: { field: 'locale', eq: 'en-US' }, template: 'en'")
                .replacingOccurrences(of: "template: \"t\", ", with: ""),
            "missing": EvaluationFixture.trigger("missing", kind: "birthday", "audience: { all: [ { field: 'locale', in: ['en-US', 'ja-JP'] } ] }, template: 'zh'")
                .replacingOccurrences(of: "template: \"t\", ", with: ""),
            "broken": EvaluationFixture.trigger("broken", kind: "birthday", "template: 'bad'")
                .replacingOccurrences(of: "template: \"t\", ", with: ""),
        ], templates: ["en/sms.en-US.txt": "Happy birthday", "zh/sms.zh-CN.txt": "生日快乐", "bad/sms.zh-CN.txt": "{{ member.name | date }}"])
        let problems = fixture.problems()
        #expect(!problems.contains { $0.contains("english.json5") }, "\(problems)")
        #expect(problems.contains { $0.contains("missing.json5") && $0.contains("no sms text in locale en-US, the only one its audience admits") })
        #expect(problems.contains { $0.contains("missing.json5") && $0.contains("locale ja-JP") })
        #expect(problems.contains { $0.hasPrefix("MessageTemplates/bad/sms.zh-CN.txt:1:") })
        #expect(!problems.contains { $0.contains("broken.json5") }, "\(problems)")
    }

    @Test func crossFileChecks() throws {
        let fixture = try EvaluationFixture(config: EvaluationFixture.config(), triggers: [
            "cart": """
                { id: "cart", kind: "cart_abandonment", channels: ["sms", "push", "wechat"], template: "cart" }
                """,
            "night": """
                { id: "night", kind: "birthday", channels: ["sms"], template: "t", window: { hours: ["22:00-23:00"] } }
                """,
        ], templates: EvaluationFixture.plainTemplates.merging([
            "cart/sms.zh-CN.txt": "{{ cart.sku }}还在购物车里，{{ inactive_days }}天，{{ cart.category | default: \"商品\" | money }}，{{ coupon.code }}",
            "cart/sms.en-US.txt": "{{ member.nickname }} {{ points.expires_on | date: \"M/d\" }}",
            "cart/push.en-US.txt": "no title line",
            "t/sms.en.txt": "{{ member.name | upper }} {{ member.name | default: 会员 }} {{ link 'ftp://x' }} {{ member.id",
        ]) { $1 })
        #expect(fixture.problems() == [
            "MessageTemplates/cart/push.en-US.txt:1:1: expected a first line 'title: …', then a blank line, then the body",
            "MessageTemplates/cart/sms.en-US.txt:1:1: unknown value 'member.nickname' (expected one of: cart.category, cart.sku, coupon.code, coupon.expires_on, coupon.title, event.amount, event.category, event.sku, inactive_days, link.token, member.id, member.name, member.points_balance, member.stored_value, member.tier, points.expires_on, points.expiring, trigger.name)",
            "MessageTemplates/cart/sms.en-US.txt:1:23: 'points.expires_on' cannot be filled for trigger 'cart' (Triggers/cart.json5): a cart_abandonment trigger does not supply it",
            "MessageTemplates/cart/sms.zh-CN.txt:1:1: 'cart.sku' may be missing for some members of trigger 'cart': add a default, e.g. {{ cart.sku | default: \"…\" }}",
            "MessageTemplates/cart/sms.zh-CN.txt:1:22: 'inactive_days' cannot be filled for trigger 'cart' (Triggers/cart.json5): a cart_abandonment trigger does not supply it",
            "MessageTemplates/cart/sms.zh-CN.txt:1:43: filter 'money' needs an amount, but 'cart.category' is a text",
            "MessageTemplates/cart/sms.zh-CN.txt:1:87: 'coupon.code' cannot be filled for trigger 'cart' (Triggers/cart.json5): it has no offer",
            "MessageTemplates/t/sms.en.txt:1:1: unknown filter 'upper' (expected one of: default, mask, date, money)",
            "MessageTemplates/t/sms.en.txt:1:27: filter 'default': expected a quoted argument such as \"会员\", found 会员",
            "MessageTemplates/t/sms.en.txt:1:59: expected {{ link \"https://…\" }}, found {{ link 'ftp://x' }}",
            "MessageTemplates/t/sms.en.txt:1:80: '{{' is not closed: expected '}}'",
            "Triggers/cart.json5:1:51: channels: 'wechat' is not defined in herald.json5 (defined: sms, push, email)",
            "Triggers/cart.json5:1:88: template 'cart' has no push text in the default locale: expected MessageTemplates/cart/push.zh-CN.txt",
            "Triggers/night.json5:1:76: window: never open outside quiet_hours 21:00-08:00; a marketing send could never be scheduled",
        ])
    }

    @Test func smsLongerThanMaxSegmentsInTheWorstCaseIsRefused() throws {
        let long = String(repeating: "这是一条很长的短信", count: 30)
        let fixture = try EvaluationFixture(triggers: [
            "silent": EvaluationFixture.trigger("silent", kind: "inactivity", "params: { days: 30 }"),
        ], templates: ["t/sms.zh-CN.txt": "{{ member.name | default: \"会员\" }}" + long])
        let problems = fixture.problems()
        #expect(problems.count == 1)
        #expect(problems.first?.hasPrefix("MessageTemplates/t/sms.zh-CN.txt:1:1: for trigger 'silent' this SMS can take 5 segments in the worst case") == true)
    }

    @Test func theSandboxCatalogIsValid() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let catalog = try CatalogLoader.load(configPath: root.appendingPathComponent("Sandbox/herald.json5").path)
        #expect(catalog.triggers.map(\.id) == [
            "cart_abandonment", "birthday", "points_expiry", "silent_90", "low_balance", "lost_180", "purchase_recommendation",
        ])
    }
}
