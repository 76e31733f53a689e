import Foundation
import Synchronization
import Testing
import HeraldCore
@_spi(StoreSQL) import HeraldStore
@_spi(StoreSQL) import HeraldTestSupport
@testable import HeraldEdge
import HeraldWorker

/// Delivery receipts through `herald serve`, in each provider's callback format: applied to
/// the send they name and committed before the answer; repeats and unknown ids change nothing.
@Suite(.timeLimit(.minutes(2))) struct ReceiptCallbackTests {
    /// Three members with a planned SMS, each as the dispatcher leaves it once a provider
    /// accepted it: sent, with its provider id (`pid-<member>`).
    private func edge() throws -> EdgeHarness {
        let edge = try EdgeHarness(triggers: [
            "winback": EvaluationFixture.trigger("winback", kind: "inactivity", "params: { days: 30 }"),
        ], members: "id,phone,last_active_at,consent_sms\nU1,13800138001,2026-01-01,yes\n"
            + "U2,13800138002,2026-01-01,yes\nU3,13800138003,2026-01-01,yes", now: "2026-03-10 12:02:00")
        try edge.store.database.execute("""
            UPDATE outbox SET status = 'sent', provider_id = 'pid-' || (SELECT id FROM members m WHERE m.key = member_key)
            """)
        return edge
    }

    private func statuses(_ edge: EdgeHarness) throws -> [String] {
        try edge.column("""
            SELECT m.id || ' ' || o.status || ' ' || coalesce(o.receipt, '-') FROM outbox o
            JOIN members m ON m.key = o.member_key ORDER BY m.id
            """)
    }

    @Test func eachProvidersCallbackIsAppliedBeforeItIsAnswered() throws {
        let edge = try edge()
        let tencent = #"""
            [{"user_receive_time": "2026-03-10 12:00:09", "nationcode": "86", "mobile": "13800138001",
              "report_status": "SUCCESS", "errmsg": "DELIVRD", "description": "用户短信送达成功", "sid": "pid-U1"},
             {"user_receive_time": "2026-03-10 12:00:10", "nationcode": "86", "mobile": "13800138009",
              "report_status": "SUCCESS", "errmsg": "DELIVRD", "description": "用户短信送达成功", "sid": "pid-nobody"}]
            """#
        let first = edge.request("POST", "/receipts/tencent?key=\(EdgeHarness.callbackKey)", body: tencent)
        #expect(first.status == 200 && first.text.hasSuffix(#"{"result":0,"errmsg":"OK"}"#))
        #expect(edge.request("POST", "/receipts/tencent?key=\(EdgeHarness.callbackKey)", body: tencent).status == 200, "a provider's retry is answered the same")
        let aliyun = edge.request("POST", "/receipts/aliyun?key=\(EdgeHarness.callbackKey)", body: #"""
            [{"phone_number": "13800138002", "send_time": "2026-03-10 12:00:01", "report_time": "2026-03-10 12:00:20",
              "success": false, "err_code": "MK:0001", "err_msg": "用户空号", "sms_size": "1", "biz_id": "pid-U2", "out_id": ""}]
            """#)
        #expect(aliyun.status == 200 && aliyun.text.hasSuffix(#"{"code":0,"msg":"成功"}"#))
        let key = try #require(try edge.column("SELECT idempotency_key FROM outbox o JOIN members m ON m.key = o.member_key WHERE m.id = 'U3'").first)
        let generic = edge.request("POST", "/receipts/http?key=\(EdgeHarness.callbackKey)", body: #"{"key": "\#(key)", "status": "delivered", "at": "2026-03-10T12:00:30+08:00"}"#)
        #expect(generic.status == 200 && generic.text.hasSuffix(#"{"stored":1,"unmatched":0}"#))
        #expect(try statuses(edge) == ["U1 delivered delivered", "U2 failed undelivered", "U3 delivered delivered"])
        #expect(try edge.column("SELECT count(*) FROM events WHERE type IN ('delivered', 'undelivered')") == ["4"],
                "stored once each, the unknown one too")
        // What is acknowledged is on disk before the answer: the edge's writer commits with FULL sync.
        let synchronous = try edge.onWriter { store, _ in try (store as? SQLStore)?.database.scalarInteger("PRAGMA synchronous") }
        #expect(synchronous == 2)
    }

    /// Callbacks arriving while a commit is under way are committed together; one whose work
    /// fails does not fail the others of its group (it is rolled back to its own savepoint).
    @Test func callbacksWaitingTogetherShareACommitAndOneFailureFailsOnlyItself() throws {
        let edge = try edge()
        struct Refused: Error {}
        let results = Mutex<[String]>([])
        let group = DispatchGroup()
        // Hold the writer until the next four (a failing job, three receipts) queue behind it.
        let writer = edge.router.writer
        group.enter()
        writer.submit({ _, _ in
            let deadline = Date(timeIntervalSinceNow: 10)
            while writer.queued < 4 && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        }) { _ in group.leave() }
        let taken = Date(timeIntervalSinceNow: 10)
        while writer.queued > 0 && Date() < taken { Thread.sleep(forTimeInterval: 0.01) }
        group.enter()
        writer.submit({ _, _ in throw Refused() }) { result in
            if case .failure(let error) = result, error is Refused { results.withLock { $0.append("refused") } }
            group.leave()
        }
        let port = edge.server.port
        for member in ["U1", "U2", "U3"] {
            group.enter()
            Thread {
                let body = #"{"provider_id": "pid-\#(member)", "status": "delivered", "at": "2026-03-10T12:00:30+08:00"}"#
                let reply = RawHTTPClient.request(port: port, "POST", "/receipts/http?key=\(EdgeHarness.callbackKey)",
                                                  body: Array(body.utf8))
                results.withLock { $0.append("\(member) \(reply.status ?? 0)") }
                group.leave()
            }.start()
        }
        #expect(group.wait(timeout: .now() + 20) == .success, "callbacks still unanswered after 20 s")
        #expect(results.withLock { $0.sorted() } == ["U1 200", "U2 200", "U3 200", "refused"])
        #expect(try statuses(edge) == ["U1 delivered delivered", "U2 delivered delivered", "U3 delivered delivered"])
        let metrics = edge.request("GET", "/metrics").text
        #expect(metrics.contains("herald_edge_committed_callbacks_total 4\n"), "the holding job and three receipts")
        // Two commits: the holding job's, then the group of four (the failing one rolled back
        // to its savepoint alone, nothing run twice).
        #expect(metrics.contains("herald_edge_commits_total 2\n"))
    }

    @Test(arguments: ["", "{", #"{"sid": "x"}"#, #"[{"sid": "x"}]"#, #"[{"biz_id": "x", "success": "yes"}]"#, "[1]"])
    func aBodyThatIsNotTheCallbackIs400(body: String) throws {
        let edge = try edge()
        for path in ["/receipts/tencent", "/receipts/aliyun", "/receipts/http"] {
            #expect(edge.request("POST", path + "?key=\(EdgeHarness.callbackKey)", body: body).status == 400, "\(path) \(body)")
        }
        #expect(try statuses(edge) == ["U1 sent -", "U2 sent -", "U3 sent -"])
    }
}
