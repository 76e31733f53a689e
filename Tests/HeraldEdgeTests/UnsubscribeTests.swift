import Foundation
import Testing
import HeraldCore
@_spi(StoreSQL) import HeraldStore
@_spi(StoreSQL) import HeraldTestSupport
import HeraldEdge
import HeraldWorker

/// E-mail unsubscribe through `herald serve`: a confirmation page that runs nothing and echoes
/// nothing, and a one-click POST (RFC 8058) that opts the member out of e-mail at once.
@Suite struct UnsubscribeTests {
    private final class Edge {
        let store: SQLiteStore
        let router: EdgeRouter
        let server: HTTPServer
        let token: String

        init() throws {
            let fixture = try EvaluationFixture(triggers: [
                "news": EvaluationFixture.trigger("news", kind: "inactivity", "params: { days: 30 }, channels: ['email']"),
            ])
            store = try fixture.store(members: "id,email,last_active_at,consent_email\nU1,u1@example.cn,2026-01-01,yes")
            try SQLiteOutboxWriter.write(try fixture.evaluate(store, at: "2026-03-10 12:00:00"), to: store)
            let row = try store.database.prepare("SELECT link_token FROM outbox")
            _ = try row.step()
            token = try #require(row.text(at: 0))
            router = try EdgeRouter(store: store.location, config: try fixture.catalog().config,
                                    clock: ManualWallClock(fixture.at("2026-03-10 13:00:00"))) { _ in }
            server = try HTTPServer(listen: "127.0.0.1:0", handler: router)
        }

        func consent() throws -> String? {
            let row = try store.database.prepare("SELECT consent_email FROM members WHERE id = 'U1'")
            _ = try row.step()
            return row.text(at: 0)
        }

        deinit {
            server.stop()
            router.stop()
        }
    }

    @Test func theConfirmationPageRunsNothingAndTheOneClickPostOptsOut() throws {
        let edge = try Edge()
        let page = RawHTTPClient.request(port: edge.server.port, "GET", "/u/\(edge.token)")
        #expect(page.status == 200 && page.text.contains("确认退订") && page.text.contains(#"<form method="post">"#))
        #expect(!page.text.contains("<script") && !page.text.contains(edge.token), "no script, no echo")
        #expect(page.header("Content-Security-Policy")?.hasPrefix("default-src 'none'") == true)
        #expect(try edge.consent() == "yes", "showing the page changes nothing")
        let post = RawHTTPClient.request(port: edge.server.port, "POST", "/u/\(edge.token)",
                                         headers: ["Content-Type": "application/x-www-form-urlencoded"],
                                         body: Array("List-Unsubscribe=One-Click".utf8))
        #expect(post.status == 200 && post.text.contains("已退订"))
        #expect(try edge.consent() == "no", "committed before the answer")
    }

    @Test(arguments: ["/u/ZZZZZZZZZZZZ", "/u/short", "/u/<script>alert(1)</script>", "/u/", "/u/%3Cb%3E"])
    func anUnknownOrMalformedTokenIs404AndEchoesNothing(path: String) throws {
        let edge = try Edge()
        let reply = RawHTTPClient.request(port: edge.server.port, "GET", path)
        #expect(reply.status == 404 && !reply.text.contains("<script") && !reply.text.contains("alert"))
        #expect(RawHTTPClient.request(port: edge.server.port, "POST", path).status == 404)
        #expect(try edge.consent() == "yes")
    }
}
