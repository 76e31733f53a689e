import Foundation
import Synchronization
import HeraldCore
@_spi(StoreSQL) import HeraldStore
@_spi(StoreSQL) import HeraldTestSupport
@testable import HeraldEdge

/// A store with sends planned at 2026-03-10 12:00 (Shanghai) by the given triggers, and
/// `herald serve`'s router and server in front of it on a free loopback port.
final class EdgeHarness {
    let fixture: EvaluationFixture
    let store: SQLStore
    let clock: ManualWallClock
    let router: EdgeRouter
    let server: HTTPServer

    /// The provider callbacks' key (`?key=` on their URLs).
    static let callbackKey = "k-3f9a"

    init(config: String = EvaluationFixture.config(), triggers: [String: String],
         templates: [String: String] = EvaluationFixture.plainTemplates, members: String,
         now: String = "2026-03-10 12:05:00", callbackKey: String? = EdgeHarness.callbackKey) throws {
        fixture = try EvaluationFixture(config: config, triggers: triggers, templates: templates)
        store = try fixture.store(members: members)
        try SQLOutboxWriter.write(try fixture.evaluate(store, at: "2026-03-10 12:00:00"), to: store)
        clock = ManualWallClock(fixture.at(now))
        router = try EdgeRouter(store: store.location, config: try fixture.catalog().config, callbackKey: callbackKey,
                                clock: clock) { _ in }
        server = try HTTPServer(listen: "127.0.0.1:0", handler: router)
    }

    func request(_ method: String, _ path: String, headers: [String: String] = [:], body: String = "",
                 within: Double = 10) -> RawHTTPClient.Reply {
        RawHTTPClient.request(port: server.port, method, path, headers: headers, body: Array(body.utf8), within: within)
    }

    /// The first column of every row `sql` returns, as text ("NULL" for NULL).
    func column(_ sql: String) throws -> [String] { try store.column(sql) }

    /// Link token by member id.
    func tokens() throws -> [String: String] {
        let pairs = try column("SELECT m.id || ' ' || o.link_token FROM outbox o JOIN members m ON m.key = o.member_key")
        return Dictionary(uniqueKeysWithValues: pairs.map { pair in
            let parts = pair.split(separator: " ")
            return (String(parts[0]), String(parts[1]))
        })
    }

    /// Runs `work` on the edge's writing connection, as a route's commit would.
    func onWriter<Outcome: Sendable>(_ work: @escaping @Sendable (any MemberStore, any EventIngester) throws -> Outcome)
        throws -> Outcome {
        let done = DispatchSemaphore(value: 0)
        let result = Mutex<Result<Outcome, any Error>?>(nil)
        router.writer.submit(work) { outcome in
            result.withLock { $0 = outcome }
            done.signal()
        }
        guard done.wait(timeout: .now() + 10) == .success, let outcome = result.withLock({ $0 }) else {
            throw EdgeHarnessError.writerDidNotAnswer
        }
        return try outcome.get()
    }

    enum EdgeHarnessError: Error { case writerDidNotAnswer }

    deinit {
        server.stop()
        router.stop()
    }
}
