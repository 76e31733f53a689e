import Foundation
import Testing
import HeraldCore
@_spi(StoreSQL) import HeraldStore
@_spi(StoreSQL) import HeraldTestSupport
import HeraldEdge
import HeraldWorker

/// E-mail unsubscribe through `herald serve`: a confirmation page that runs nothing and echoes
/// nothing, and a one-click POST (RFC 8058) that opts the member out of e-mail at once.
@Suite(.timeLimit(.minutes(2))) struct UnsubscribeTests {
    /// One member with a planned e-mail.
    private func edge() throws -> EdgeHarness {
        try EdgeHarness(triggers: [
            "news": EvaluationFixture.trigger("news", kind: "inactivity", "params: { days: 30 }, channels: ['email']"),
        ], members: "id,email,last_active_at,consent_email\nU1,u1@example.cn,2026-01-01,yes", now: "2026-03-10 13:00:00")
    }

    private func consent(_ edge: EdgeHarness) throws -> String? {
        try edge.column("SELECT consent_email FROM members WHERE id = 'U1'").first
    }

    @Test func theConfirmationPageRunsNothingAndTheOneClickPostOptsOut() throws {
        let edge = try edge()
        let token = try #require(try edge.tokens()["U1"])
        let page = edge.request("GET", "/u/\(token)")
        #expect(page.status == 200 && page.text.contains("确认退订") && page.text.contains(#"<form method="post">"#))
        #expect(!page.text.contains("<script") && !page.text.contains(token), "no script, no echo")
        #expect(page.header("Content-Security-Policy")?.hasPrefix("default-src 'none'") == true)
        #expect(try consent(edge) == "yes", "showing the page changes nothing")
        let post = edge.request("POST", "/u/\(token)", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                                body: "List-Unsubscribe=One-Click")
        #expect(post.status == 200 && post.text.contains("已退订"))
        #expect(try consent(edge) == "no", "committed before the answer")
    }

    @Test(arguments: ["/u/ZZZZZZZZZZZZ", "/u/short", "/u/<script>alert(1)</script>", "/u/", "/u/%3Cb%3E"])
    func anUnknownOrMalformedTokenIs404AndEchoesNothing(path: String) throws {
        let edge = try edge()
        let reply = edge.request("GET", path)
        #expect(reply.status == 404 && !reply.text.contains("<script") && !reply.text.contains("alert"))
        #expect(edge.request("POST", path).status == 404)
        #expect(try consent(edge) == "yes")
    }
}
