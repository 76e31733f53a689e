import Foundation
import Testing
import HeraldCore
@_spi(StoreSQL) import HeraldStore
@_spi(StoreSQL) import HeraldTestSupport
import HeraldEdge
import HeraldWorker

/// Tracked links through `herald serve`'s router and server, on a store with planned sends.
@Suite struct LinkRedirectTests {
    /// Two members with a planned SMS whose template has two links; the edge in front of them.
    private func edge(fallback: String? = nil) throws -> EdgeHarness {
        var config = EvaluationFixture.config()
        if let fallback {
            config = config.replacingOccurrences(of: "links: { base: \"https://s.example.cn/\" },",
                                                 with: "links: { base: 'https://s.example.cn/', fallback: '\(fallback)' },")
        }
        return try EdgeHarness(config: config, triggers: [
            "winback": EvaluationFixture.trigger("winback", kind: "inactivity", "params: { days: 30 }"),
        ], templates: [
            "t/sms.zh-CN.txt": #"回来看看 {{ link "https://shop.example.cn/a" }} 新品 {{ link "https://shop.example.cn/b" }}"#,
        ], members: "id,phone,last_active_at,consent_sms\nU1,13800138001,2026-01-01,yes\nU2,13800138002,2026-01-01,yes")
    }

    /// Click events stored, after the recorder's group commits (waited for up to 10 s).
    private func clicks(in edge: EdgeHarness, _ expected: Int) async throws -> Int {
        var count = 0
        _ = await Waiting.until(within: .seconds(10)) {
            count = Int((try? edge.column("SELECT count(*) FROM events WHERE type = 'click'"))?.first ?? "") ?? 0
            return count >= expected
        }
        return count
    }

    @Test(.timeLimit(.minutes(1))) func aLinkRedirectsToItsTargetAndCountsOneClickPerMinute() async throws {
        let edge = try edge()
        let token = try #require(try edge.tokens()["U1"])
        let first = edge.request("GET", "/\(token)")
        #expect(first.status == 302 && first.header("Location") == "https://shop.example.cn/a")
        #expect(first.header("Cache-Control") == "no-store")
        #expect(edge.request("GET", "/\(token)/2").header("Location") == "https://shop.example.cn/b")
        #expect(try await clicks(in: edge, 1) == 1, "a second click in the same minute counts once")
        // The send keeps its first click: the report's CLICKED column sees it.
        #expect(try edge.column("SELECT count(*) FROM outbox WHERE link_token = '\(token)' AND clicked_at IS NOT NULL")
            == ["1"])
        // The edge's counters: two redirects, two clicks queued (the store keeps one), one unknown link.
        _ = edge.request("GET", "/ZZZZZZZZZZZZ")
        let metrics = edge.request("GET", "/metrics")
        #expect(metrics.status == 200)
        for sample in ["herald_edge_redirects_total 2", "herald_edge_clicks_total 2", "herald_edge_unknown_links_total 1",
                       "# TYPE herald_edge_opt_out_replies_total counter"] {
            #expect(metrics.text.contains("\n" + sample + "\n"), "\(sample)")
        }
    }

    @Test(.timeLimit(.minutes(1))) func headPreviewsAndScannersAreRedirectedButNotCounted() async throws {
        let edge = try edge()
        let token = try #require(try edge.tokens()["U2"])
        #expect(edge.request("HEAD", "/\(token)").status == 302)
        for agent in ["Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", "facebookexternalhit/1.1",
                      "Mozilla/5.0 (compatible; proofpoint)", "TelegramBot (like TwitterBot)"] {
            #expect(edge.request("GET", "/\(token)", headers: ["User-Agent": agent]).status == 302, "\(agent)")
        }
        #expect(edge.request("GET", "/healthz").status == 200)
        // A person last: the only click.
        let person = ["User-Agent": "Mozilla/5.0 (iPhone) MicroMessenger/8.0"]
        #expect(edge.request("GET", "/\(token)", headers: person).status == 302)
        #expect(try await clicks(in: edge, 1) == 1)
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await clicks(in: edge, 1) == 1, "previews and HEAD were not counted")
    }

    @Test(arguments: ["/", "/nosuchtoken0", "/short", "/ABCDEFGHIJKL/0", "/ABCDEFGHIJKL/x", "/a/b/c", "/%2e%2e/etc"])
    func anUnknownOrMalformedLinkIs404(path: String) throws {
        let edge = try edge()
        #expect(edge.request("GET", path).status == 404)
        #expect(edge.request("GET", "/\(try #require(try edge.tokens()["U1"]))/3").status == 404, "the message has two links")
    }

    @Test func anUnknownLinkGoesToTheFallbackWhenOneIsSet() throws {
        let edge = try edge(fallback: "https://shop.example.cn/")
        let reply = edge.request("GET", "/ZZZZZZZZZZZZ")
        #expect(reply.status == 302 && reply.header("Location") == "https://shop.example.cn/")
        #expect(edge.request("POST", "/healthz").status == 405)
    }
}
