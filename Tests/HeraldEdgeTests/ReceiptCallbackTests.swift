import Foundation
import Testing
import HeraldCore
@_spi(StoreSQL) import HeraldStore
@_spi(StoreSQL) import HeraldTestSupport
import HeraldEdge
import HeraldWorker

/// Delivery receipts through `herald serve`, in each provider's callback format: applied to
/// the send they name and committed before the answer; repeats and unknown ids change nothing.
@Suite struct ReceiptCallbackTests {
    private final class Edge {
        let store: SQLiteStore
        let router: EdgeRouter
        let server: HTTPServer
        /// Idempotency key by member.
        var keys: [String: String] = [:]

        init() throws {
            let fixture = try EvaluationFixture(triggers: [
                "winback": EvaluationFixture.trigger("winback", kind: "inactivity", "params: { days: 30 }"),
            ])
            store = try fixture.store(members: "id,phone,last_active_at,consent_sms\nU1,13800138001,2026-01-01,yes\n"
                                      + "U2,13800138002,2026-01-01,yes\nU3,13800138003,2026-01-01,yes")
            try SQLiteOutboxWriter.write(try fixture.evaluate(store, at: "2026-03-10 12:00:00"), to: store)
            // As the dispatcher leaves them once each provider accepted: sent, with its id.
            try store.database.execute("""
                UPDATE outbox SET status = 'sent', provider_id = 'pid-' || (SELECT id FROM members m WHERE m.key = member_key)
                """)
            let rows = try store.database.prepare("SELECT m.id, o.idempotency_key FROM outbox o JOIN members m ON m.key = o.member_key")
            while try rows.step() { keys[rows.text(at: 0)!] = rows.text(at: 1)! }
            let clock = ManualWallClock(fixture.at("2026-03-10 12:02:00"))
            router = try EdgeRouter(store: store.location, config: try fixture.catalog().config, clock: clock) { _ in }
            server = try HTTPServer(listen: "127.0.0.1:0", handler: router)
        }

        func post(_ path: String, _ json: String) -> RawHTTPClient.Reply {
            RawHTTPClient.request(port: server.port, "POST", path, body: Array(json.utf8))
        }

        func statuses() throws -> [String] {
            let rows = try store.database.prepare("""
                SELECT m.id || ' ' || o.status || ' ' || coalesce(o.receipt, '-') FROM outbox o
                JOIN members m ON m.key = o.member_key ORDER BY m.id
                """)
            var found: [String] = []
            while try rows.step() { found.append(rows.text(at: 0)!) }
            return found
        }

        deinit {
            server.stop()
            router.stop()
        }
    }

    @Test func eachProvidersCallbackIsAppliedBeforeItIsAnswered() throws {
        let edge = try Edge()
        let tencent = #"""
            [{"user_receive_time": "2026-03-10 12:00:09", "nationcode": "86", "mobile": "13800138001",
              "report_status": "SUCCESS", "errmsg": "DELIVRD", "description": "用户短信送达成功", "sid": "pid-U1"},
             {"user_receive_time": "2026-03-10 12:00:10", "nationcode": "86", "mobile": "13800138009",
              "report_status": "SUCCESS", "errmsg": "DELIVRD", "description": "用户短信送达成功", "sid": "pid-nobody"}]
            """#
        let first = edge.post("/receipts/tencent", tencent)
        #expect(first.status == 200 && first.text.hasSuffix(#"{"result":0,"errmsg":"OK"}"#))
        #expect(edge.post("/receipts/tencent", tencent).status == 200, "a provider's retry is answered the same")
        let aliyun = edge.post("/receipts/aliyun", #"""
            [{"phone_number": "13800138002", "send_time": "2026-03-10 12:00:01", "report_time": "2026-03-10 12:00:20",
              "success": false, "err_code": "MK:0001", "err_msg": "用户空号", "sms_size": "1", "biz_id": "pid-U2", "out_id": ""}]
            """#)
        #expect(aliyun.status == 200 && aliyun.text.hasSuffix(#"{"code":0,"msg":"成功"}"#))
        let key = try #require(edge.keys["U3"])
        let generic = edge.post("/receipts/http", #"{"key": "\#(key)", "status": "delivered", "at": "2026-03-10T12:00:30+08:00"}"#)
        #expect(generic.status == 200 && generic.text.hasSuffix(#"{"stored":1,"unmatched":0}"#))
        #expect(try edge.statuses() == ["U1 delivered delivered", "U2 failed undelivered", "U3 delivered delivered"])
        let receipts = try edge.store.database.scalarInteger("SELECT count(*) FROM events WHERE type IN ('delivered', 'undelivered')")
        #expect(receipts == 4, "stored once each, the unknown one too")
    }

    @Test(arguments: ["", "{", #"{"sid": "x"}"#, #"[{"sid": "x"}]"#, #"[{"biz_id": "x", "success": "yes"}]"#, "[1]"])
    func aBodyThatIsNotTheCallbackIs400(body: String) throws {
        let edge = try Edge()
        for path in ["/receipts/tencent", "/receipts/aliyun", "/receipts/http"] {
            #expect(edge.post(path, body).status == 400, "\(path) \(body)")
        }
        #expect(try edge.statuses() == ["U1 sent -", "U2 sent -", "U3 sent -"])
    }
}
