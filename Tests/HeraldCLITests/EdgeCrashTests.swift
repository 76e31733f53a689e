import Foundation
import Testing
@_spi(StoreSQL) import HeraldStore
@_spi(StoreSQL) import HeraldTestSupport

/// kill -9 of `herald serve` in the middle of a burst of receipt callbacks: every receipt it
/// answered 200 to is in the store afterwards (it commits before it answers).
@Suite struct EdgeCrashTests {
    @Test(.timeLimit(.minutes(1))) func everyAcknowledgedReceiptSurvivesAKill() async throws {
        let folder = try TemporaryDirectory()
        // Far more than can be answered before the kill lands, however late its thread runs.
        let sends = 5_000
        do {
            let store = try SQLStore(path: folder.file("h.db"))
            try store.database.execute("""
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < \(sends))
                INSERT INTO members (key, id) SELECT i, 'M' || i FROM n;
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < \(sends))
                INSERT INTO outbox (key, trigger_id, member_key, occurrence_key, idempotency_key, category, channel,
                    address, template, body, scheduled_at, next_attempt_at, status, created_at, updated_at,
                    local_day, attribution_until)
                SELECT i, 't', i, 'o' || i, 'hk-' || i, 'service', 'sms', '+8613800000000', 't', 'text', 1780000000,
                    1780000000, 'sent', 1780000000, 1780000000, '2026-05-28', 1780604800 FROM n;
                """)
        }
        let config = try folder.write("herald.json5", """
            { store: { sqlite: "h.db" }, timezone: "Asia/Shanghai", serve: { listen: "127.0.0.1:0", callback_key: "k1" } }
            """)
        let server = try launchHerald(config: config, ["serve"], folder: folder)
        defer { if server.isRunning { kill(server.processIdentifier, SIGKILL) } }
        let listening = try #require(await servePort(loggedIn: folder), "serve.ready with its port within 30 s")
        // The kill is sent from another thread once 50 have been answered, while requests keep coming.
        let pid = server.processIdentifier
        var acknowledged: [Int] = []
        var killSent = false
        for index in 1...sends {
            if acknowledged.count == 50 && !killSent {
                killSent = true
                DispatchQueue.global().async { kill(pid, SIGKILL) }
            }
            let body = #"{"key": "hk-\#(index)", "status": "delivered", "at": "2026-05-28T10:00:05+08:00"}"#
            let reply = RawHTTPClient.request(port: listening, "POST", "/receipts/http?key=k1", body: Array(body.utf8),
                                              within: 5)
            if reply.status == 200 { acknowledged.append(index) }
            if reply.status == nil && !server.isRunning { break }
        }
        #expect(await Waiting.exit(of: server, within: .seconds(10)), "the server did not die within 10 s of SIGKILL")
        #expect(!acknowledged.isEmpty && acknowledged.count < sends, "\(acknowledged.count) of \(sends) answered")
        let store = try SQLStore(readingAt: folder.file("h.db"))
        let stored = Set(try (1...sends).filter { index in
            try store.database.scalarInteger("SELECT receipt IS NOT NULL FROM outbox WHERE key = \(index)") == 1
        })
        let lost = acknowledged.filter { !stored.contains($0) }
        #expect(lost.isEmpty, "answered 200 but not stored: \(lost)")
    }
}
