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
    private final class Edge {
        let fixture: EvaluationFixture
        let store: SQLiteStore
        let router: EdgeRouter
        let server: HTTPServer
        /// Link token by member id.
        var tokens: [String: String] = [:]

        init(fallback: String? = nil) throws {
            let links = fallback.map { "links: { base: 'https://s.example.cn/', fallback: '\($0)' }," } ?? ""
            var config = EvaluationFixture.config(links)
            if fallback != nil { config = config.replacingOccurrences(of: "links: { base: \"https://s.example.cn/\" },", with: "") }
            fixture = try EvaluationFixture(config: config, triggers: [
                "winback": EvaluationFixture.trigger("winback", kind: "inactivity", "params: { days: 30 }"),
            ], templates: [
                "t/sms.zh-CN.txt": #"回来看看 {{ link "https://shop.example.cn/a" }} 新品 {{ link "https://shop.example.cn/b" }}"#,
            ])
            store = try fixture.store(members: "id,phone,last_active_at,consent_sms\nU1,13800138001,2026-01-01,yes\n"
                                      + "U2,13800138002,2026-01-01,yes")
            try SQLiteOutboxWriter.write(try fixture.evaluate(store, at: "2026-03-10 12:00:00"), to: store)
            let rows = try store.database.prepare("SELECT m.id, o.link_token FROM outbox o JOIN members m ON m.key = o.member_key")
            while try rows.step() { tokens[rows.text(at: 0)!] = rows.text(at: 1)! }
            let clock = ManualWallClock(fixture.at("2026-03-10 12:05:00"))
            router = try EdgeRouter(store: store.location, config: try fixture.catalog().config, clock: clock) { _ in }
            server = try HTTPServer(listen: "127.0.0.1:0", handler: router)
        }

        func get(_ path: String, method: String = "GET", agent: String? = nil) -> RawHTTPClient.Reply {
            RawHTTPClient.request(port: server.port, method, path, headers: agent.map { ["User-Agent": $0] } ?? [:])
        }

        /// Click events stored, after the recorder's group commits (waited for up to 10 s).
        func clicks(_ expected: Int) async throws -> Int {
            var count = 0
            _ = await Waiting.until(within: .seconds(10)) {
                count = Int((try? self.store.database.scalarInteger("SELECT count(*) FROM events WHERE type = 'click'")) ?? 0)
                return count >= expected
            }
            return count
        }

        deinit {
            server.stop()
            router.stop()
        }
    }

    @Test func aLinkRedirectsToItsTargetAndCountsOneClickPerMinute() async throws {
        let edge = try Edge()
        let token = try #require(edge.tokens["U1"])
        let first = edge.get("/\(token)")
        #expect(first.status == 302 && first.header("Location") == "https://shop.example.cn/a")
        #expect(first.header("Cache-Control") == "no-store")
        #expect(edge.get("/\(token)/2").header("Location") == "https://shop.example.cn/b")
        #expect(try await edge.clicks(1) == 1, "a second click in the same minute counts once")
        // The send keeps its first click: the report's CLICKED column sees it.
        let clicked = try edge.store.database.scalarInteger(
            "SELECT count(*) FROM outbox WHERE link_token = '\(token)' AND clicked_at IS NOT NULL")
        #expect(clicked == 1)
        // The edge's counters: two redirects, two clicks queued (the store keeps one), one unknown link.
        _ = edge.get("/ZZZZZZZZZZZZ")
        let metrics = edge.get("/metrics")
        #expect(metrics.status == 200)
        for sample in ["herald_edge_redirects_total 2", "herald_edge_clicks_total 2", "herald_edge_unknown_links_total 1",
                       "# TYPE herald_edge_opt_out_replies_total counter"] {
            #expect(metrics.text.contains("\n" + sample + "\n"), "\(sample)")
        }
    }

    @Test func headPreviewsAndScannersAreRedirectedButNotCounted() async throws {
        let edge = try Edge()
        let token = try #require(edge.tokens["U2"])
        #expect(edge.get("/\(token)", method: "HEAD").status == 302)
        for agent in ["Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", "facebookexternalhit/1.1",
                      "Mozilla/5.0 (compatible; proofpoint)", "TelegramBot (like TwitterBot)"] {
            #expect(edge.get("/\(token)", agent: agent).status == 302, "\(agent)")
        }
        #expect(edge.get("/healthz").status == 200)
        // A person last: the only click.
        #expect(edge.get("/\(token)", agent: "Mozilla/5.0 (iPhone) MicroMessenger/8.0").status == 302)
        #expect(try await edge.clicks(1) == 1)
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await edge.clicks(1) == 1, "previews and HEAD were not counted")
    }

    @Test(arguments: ["/", "/nosuchtoken0", "/short", "/ABCDEFGHIJKL/0", "/ABCDEFGHIJKL/x", "/a/b/c", "/%2e%2e/etc"])
    func anUnknownOrMalformedLinkIs404(path: String) throws {
        let edge = try Edge()
        #expect(edge.get(path).status == 404)
        #expect(edge.get("/\(try #require(edge.tokens["U1"]))/3").status == 404, "the message has two links")
    }

    @Test func anUnknownLinkGoesToTheFallbackWhenOneIsSet() throws {
        let edge = try Edge(fallback: "https://shop.example.cn/")
        let reply = edge.get("/ZZZZZZZZZZZZ")
        #expect(reply.status == 302 && reply.header("Location") == "https://shop.example.cn/")
        #expect(edge.get("/healthz", method: "POST").status == 405)
    }
}
