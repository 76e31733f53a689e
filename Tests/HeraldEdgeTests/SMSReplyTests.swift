import Foundation
import Testing
import HeraldCore
import HeraldDelivery
@_spi(StoreSQL) import HeraldStore
@_spi(StoreSQL) import HeraldTestSupport
import HeraldEdge
import HeraldWorker

/// Inbound SMS through `herald serve`: an opt-out reply reaches every member with the number
/// and the suppression list before the provider is answered, and a due marketing row for that
/// number is not called.
@Suite struct SMSReplyTests {
    /// U1 and U3 share a number (a family phone); U2 has its own; each has a planned SMS.
    private func edge(config: String = EvaluationFixture.config()) throws -> EdgeHarness {
        try EdgeHarness(config: config, triggers: [
            "winback": EvaluationFixture.trigger("winback", kind: "inactivity", "params: { days: 30 }"),
        ], members: "id,phone,last_active_at,consent_sms\nU1,13800138001,2026-01-01,yes\n"
            + "U2,13800138002,2026-01-01,yes\nU3,13800138001,2026-01-01,yes", now: "2026-03-10 12:01:00")
    }

    @Test(.timeLimit(.minutes(1))) func aTencentReplyTOptsTheNumberOutBeforeItsDueRowIsCalled() async throws {
        let edge = try edge()
        let reply = edge.request("POST", "/replies/tencent?key=\(EdgeHarness.callbackKey)", body: #"""
            {"extend": "", "mobile": "13800138001", "nationcode": "+86", "sign": "品牌", "text": "Ｔ", "time": 1773115260}
            """#)
        #expect(reply.status == 200 && reply.text.hasSuffix(#"{"result":0,"errmsg":"OK"}"#))
        // Committed before the answer: no waiting here.
        #expect(try edge.column("SELECT address || ' ' || reason FROM address_suppressions")
            == ["+8613800138001 opt-out reply (T)"])
        #expect(try edge.column("SELECT id || ' ' || coalesce(consent_sms, '-') FROM members ORDER BY id")
            == ["U1 no", "U2 yes", "U3 no"])
        #expect(try edge.column("SELECT count(*) FROM events WHERE type = 'opt_out'") == ["2"])
        // The rows planned before the reply: the two to that number are cancelled at the re-check.
        let catalog = try edge.fixture.catalog()
        let routers = try ChannelFactory.makeRouters(
            catalog.config, context: ChannelContext(secrets: SecretSource(environment: [:]), clock: edge.clock))
        let dispatcher = try Dispatcher(store: edge.store.location, catalog: catalog, routers: routers, issuers: [:],
                                        clock: edge.clock,
                                        log: EventLog { _ in })
        await dispatcher.drain()
        #expect(try edge.column("""
            SELECT m.id || ' ' || o.status FROM outbox o JOIN members m ON m.key = o.member_key ORDER BY m.id
            """) == ["U1 cancelled", "U2 sent", "U3 cancelled"])
    }

    @Test func anAliyunBatchOptsOutOnlyTheOptOutReplies() throws {
        let edge = try edge()
        let reply = edge.request("POST", "/replies/aliyun?key=\(EdgeHarness.callbackKey)", body: #"""
            [{"phone_number": "13800138001", "content": "好的，谢谢", "send_time": "2026-03-10 12:01:00", "sign_name": "品牌",
              "dest_code": "1234", "sequence_id": 1},
             {"phone_number": "8613800138002", "content": "我要退订", "send_time": "2026-03-10 12:01:05", "sign_name": "品牌",
              "dest_code": "1234", "sequence_id": 2}]
            """#)
        #expect(reply.status == 200 && reply.text.hasSuffix(#"{"code":0,"msg":"成功"}"#))
        #expect(try edge.column("SELECT id || ' ' || coalesce(consent_sms, '-') FROM members ORDER BY id")
            == ["U1 yes", "U2 no", "U3 yes"])
        #expect(try edge.column("SELECT address FROM address_suppressions") == ["+8613800138002"])
    }

    /// Callbacks without the key, with a wrong one, or on an edge that has none set are refused
    /// (403), and nothing is stored: otherwise anyone could opt any number out.
    @Test func aCallbackWithoutTheKeyIsRefused() throws {
        let edge = try edge()
        let reply = #"{"mobile": "13800138001", "nationcode": "86", "text": "T", "time": 1773115260}"#
        for path in ["/replies/tencent", "/replies/tencent?key=k-3f9b", "/replies/tencent?key=", "/receipts/http?key=x"] {
            #expect(edge.request("POST", path, body: reply).status == 403, "\(path)")
        }
        let closed = try EdgeHarness(triggers: [
            "winback": EvaluationFixture.trigger("winback", kind: "inactivity", "params: { days: 30 }"),
        ], members: "id,phone,last_active_at,consent_sms\nU1,13800138001,2026-01-01,yes", callbackKey: nil)
        #expect(closed.request("POST", "/replies/tencent?key=", body: reply).status == 403)
        #expect(try edge.column("SELECT count(*) FROM address_suppressions") == ["0"])
        #expect(try closed.column("SELECT count(*) FROM address_suppressions") == ["0"])
        #expect(edge.request("GET", "/metrics").text.contains("herald_edge_refused_callbacks_total 4"))
    }

    /// With `serve.callbacks_from`, only those callers get through, the key notwithstanding;
    /// behind a proxy on loopback the caller is the `X-Real-IP` it passes, from elsewhere the peer.
    @Test func anAllowListAdmitsOnlyItsCallers() throws {
        let edge = try edge(config: EvaluationFixture.config(#"serve: { callbacks_from: ["203.0.113.0/24", "2001:db8::/32"] },"#))
        let path = "/replies/tencent?key=\(EdgeHarness.callbackKey)"
        let reply = #"{"mobile": "13800138002", "nationcode": "86", "text": "TD", "time": 1773115260}"#
        #expect(edge.request("POST", path, body: reply).status == 403, "loopback itself is not on the list")
        for outsider in ["198.51.100.7", "2001:db9::1", "not-an-address"] {
            #expect(edge.request("POST", path, headers: ["X-Real-IP": outsider], body: reply).status == 403, "\(outsider)")
        }
        #expect(try edge.column("SELECT count(*) FROM address_suppressions") == ["0"])
        #expect(edge.request("POST", path, headers: ["X-Real-IP": "203.0.113.40"], body: reply).status == 200)
        #expect(edge.request("POST", path, headers: ["X-Real-IP": "2001:db8::9"], body: reply).status == 200)
        #expect(try edge.column("SELECT address FROM address_suppressions") == ["+8613800138002"])
    }

    /// A reply's suppression and its members' opt-outs are one transaction: rolled back
    /// together, nothing of either stays.
    @Test func aReplysSuppressionAndOptOutsLandTogetherOrNotAtAll() throws {
        let edge = try edge()
        struct Interrupted: Error {}
        #expect(throws: Interrupted.self) {
            try edge.onWriter { store, _ in
                try store.withTransaction {
                    _ = try store.applyOptOutReply(phone: "+8613800138001", keyword: "T", at: Date(), provider: "tencent")
                    throw Interrupted()
                }
            }
        }
        #expect(try edge.column("SELECT count(*) FROM address_suppressions") == ["0"])
        #expect(try edge.column("SELECT count(*) FROM events WHERE type = 'opt_out'") == ["0"])
        #expect(try edge.column("SELECT group_concat(consent_sms) FROM members") == ["yes,yes,yes"])
    }

    @Test(arguments: ["", "{", "[]x", #"{"mobile": 1}"#, #"[{"content": "T"}]"#, "\u{FF}\u{FE}"])
    func aBodyThatIsNotTheCallbackIs400(body: String) throws {
        let edge = try edge()
        #expect(edge.request("POST", "/replies/tencent?key=\(EdgeHarness.callbackKey)", body: body).status == 400)
        #expect(edge.request("POST", "/replies/aliyun?key=\(EdgeHarness.callbackKey)", body: body).status == 400)
        #expect(edge.request("GET", "/replies/tencent?key=\(EdgeHarness.callbackKey)").status == 405)
        #expect(try edge.column("SELECT count(*) FROM address_suppressions") == ["0"])
    }
}
