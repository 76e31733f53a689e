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
        try SQLiteOutboxWriter.write(try fixture.evaluate(store, at: "2026-03-10 12:00:00"), to: store)
        let token = try #require(try column(store, "SELECT link_token FROM outbox").first)
        let clock = ManualWallClock(fixture.at("2026-03-10 12:01:00"))
        let catalog = try fixture.catalog()
        let routers = try ChannelFactory.makeRouters(catalog.config, context: ChannelContext(secrets: SecretSource(environment: [:]),
                                                                                              clock: clock))
        let dispatcher = try Dispatcher(store: store.location, catalog: catalog, routers: routers, clock: clock,
                                        log: EventLog { _ in })
        await dispatcher.drain()
        let mail = try #require(server.messages.first, "no e-mail reached the server")
        #expect(mail.recipients == ["li.lei@example.cn"])
        #expect(mail.header("List-Unsubscribe") == "<https://s.example.cn/u/\(token)>")
        #expect(mail.header("Subject") == "=?UTF-8?B?\(Data("好久不见".utf8).base64EncodedString())?=")
        #expect(try column(store, "SELECT status FROM outbox") == ["sent"])
    }

    private func column(_ store: SQLiteStore, _ sql: String) throws -> [String] {
        let rows = try store.database.prepare(sql)
        var values: [String] = []
        while try rows.step() { values.append(rows.text(at: 0) ?? "NULL") }
        return values
    }
}
