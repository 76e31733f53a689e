import Foundation
import Testing
import HeraldCore
import HeraldDelivery
@_spi(StoreSQL) import HeraldStore
@_spi(StoreSQL) import HeraldTestSupport
import HeraldWorker

/// A planned marketing e-mail delivered through the `smtp` adapter to a loopback SMTP server:
/// its subject is the template's, and its one-click unsubscribe is its own send's token on
/// the edge (`<links.base>u/<token>`), which `herald serve` answers.
@Suite(.timeLimit(.minutes(1))) struct EmailDeliveryTests {
    @Test func aMarketingEmailCarriesItsSendsUnsubscribeLink() async throws {
        let server = try LoopbackSMTPServer()
        let fixture = try EvaluationFixture(config: """
            { store: { sqlite: "h.db" }, timezone: "Asia/Shanghai",
              channels: { email: { adapter: "smtp", url: "\(server.url)", from: "品牌会员中心 <noreply@brand.cn>" } },
              links: { base: "https://s.example.cn/" } }
            """, triggers: [
                "winback": EvaluationFixture.trigger("winback", kind: "inactivity", #"channels: ["email"], params: { days: 30 }"#),
            ], templates: ["t/email.zh-CN.txt": "subject: 好久不见\n\n{{ member.name | default: \"会员\" }}，我们想念您。"])
        let store = try fixture.store(members: "id,name,email,last_active_at,consent_email\nU1,李雷,li.lei@example.cn,2026-01-01,yes")
        try await fixture.planAndDeliver(store)
        let token = try #require(try store.column("SELECT link_token FROM outbox").first)
        let mail = try #require(server.messages.first, "no e-mail reached the server")
        #expect(mail.recipients == ["li.lei@example.cn"])
        #expect(mail.header("List-Unsubscribe") == "<https://s.example.cn/u/\(token)>")
        #expect(mail.header("Subject") == "=?UTF-8?B?\(Data("好久不见".utf8).base64EncodedString())?=")
        #expect(try store.column("SELECT status FROM outbox") == ["sent"])
    }

    /// With `email.<locale>.html` beside the text: the mail is multipart/alternative, the
    /// member's values HTML-escaped in the HTML part, its links tracked and numbered after the
    /// text's (so `/<token>/2` is the HTML's button), and the redirector knows both targets.
    @Test func anHTMLTemplateIsSentBesideTheTextWithValuesEscaped() async throws {
        let server = try LoopbackSMTPServer()
        let fixture = try EvaluationFixture(config: """
            { store: { sqlite: "h.db" }, timezone: "Asia/Shanghai",
              channels: { email: { adapter: "smtp", url: "\(server.url)", from: "noreply@brand.cn" } },
              links: { base: "https://s.example.cn/" } }
            """, triggers: [
                "winback": EvaluationFixture.trigger("winback", kind: "inactivity", #"channels: ["email"], params: { days: 30 }"#),
            ], templates: [
                "t/email.zh-CN.txt": "subject: 好久不见\n\n{{ member.name | default: \"会员\" }}，看看新品：{{ link \"https://shop.example.cn/new\" }}",
                "t/email.zh-CN.html": "<p>{{ member.name | default: \"会员\" }}，</p><a href=\"{{ link \"https://shop.example.cn/new?from=mail\" }}\">新品</a>",
            ])
        let store = try fixture.store(members: "id,name,email,last_active_at,consent_email\nU1,<b>Lei</b> & co,li.lei@example.cn,2026-01-01,yes")
        try await fixture.planAndDeliver(store)
        let token = try #require(try store.column("SELECT link_token FROM outbox").first)
        #expect(try store.column("SELECT link_targets FROM outbox")
            == ["https://shop.example.cn/new\nhttps://shop.example.cn/new?from=mail"])
        let mail = try #require(server.messages.first, "no e-mail reached the server")
        #expect(mail.header("Content-Type")?.hasPrefix("multipart/alternative") == true)
        let htmlPart = try #require(mail.data.components(separatedBy: "Content-Type: text/html; charset=utf-8").last)
        let encoded = htmlPart.components(separatedBy: "\r\n\r\n")[1].components(separatedBy: "\r\n--")[0]
            .replacingOccurrences(of: "\r\n", with: "")
        let html = String(decoding: try #require(Data(base64Encoded: encoded)), as: UTF8.self)
        #expect(html == "<p>&lt;b&gt;Lei&lt;/b&gt; &amp; co，</p><a href=\"https://s.example.cn/\(token)/2\">新品</a>")
    }

    /// One token for every rendering: an SMS with a fallback e-mail (text and HTML) keeps all
    /// three links' targets, the e-mail's numbered after the SMS's, so each finds its own.
    @Test func fallbackRenderingsNumberTheirLinksAfterThePrimarysLinks() throws {
        let fixture = try EvaluationFixture(triggers: [
            "winback": EvaluationFixture.trigger("winback", kind: "inactivity", #"channels: ["sms", "email"], params: { days: 30 }"#),
        ], templates: [
            "t/sms.zh-CN.txt": "看看 {{ link \"https://shop.example.cn/a\" }}",
            "t/email.zh-CN.txt": "subject: 主题\n\n看看 {{ link \"https://shop.example.cn/b\" }}",
            "t/email.zh-CN.html": "<a href=\"{{ link \"https://shop.example.cn/c\" }}\">看看</a>",
        ])
        let store = try fixture.store(members: "id,phone,email,last_active_at,consent_sms,consent_email\n"
            + "U1,13800138001,u1@example.cn,2026-01-01,yes,yes")
        let send = try #require(try fixture.evaluate(store, at: "2026-03-10 12:00:00").planned.first)
        #expect(send.linkTargets == ["https://shop.example.cn/a", "https://shop.example.cn/b", "https://shop.example.cn/c"])
        #expect(send.text.contains("https://s.example.cn/\(send.linkToken) ") || send.text.contains("https://s.example.cn/\(send.linkToken)回"))
        let email = try #require(send.fallbacks.first)
        #expect(email.text.hasSuffix("https://s.example.cn/\(send.linkToken)/2"))
        #expect(email.html == "<a href=\"https://s.example.cn/\(send.linkToken)/3\">看看</a>")
    }

    /// An HTML file without its text version is refused, and a problem inside the HTML is
    /// reported at its own file, line and column.
    @Test func htmlTemplateProblemsPointIntoTheHTMLFile() throws {
        let orphan = try EvaluationFixture(triggers: [
            "winback": EvaluationFixture.trigger("winback", kind: "inactivity", #"channels: ["sms"], params: { days: 30 }"#),
        ], templates: ["t/sms.zh-CN.txt": "您好", "t/email.zh-CN.html": "<p>您好</p>"])
        #expect(orphan.problems().contains {
            $0.hasPrefix("MessageTemplates/t/email.zh-CN.html") && $0.contains("needs its text version beside it: email.zh-CN.txt")
        }, "\(orphan.problems())")
        let unknown = try EvaluationFixture(triggers: [
            "winback": EvaluationFixture.trigger("winback", kind: "inactivity", #"channels: ["email"], params: { days: 30 }"#),
        ], templates: ["t/email.zh-CN.txt": "subject: 主题\n\n正文", "t/email.zh-CN.html": "<p>\n  {{ member.nmae }}</p>"])
        #expect(unknown.problems().contains { $0.hasPrefix("MessageTemplates/t/email.zh-CN.html:2:3: unknown value 'member.nmae'") },
                "\(unknown.problems())")
    }
}
