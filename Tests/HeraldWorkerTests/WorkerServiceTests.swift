import Foundation
import Testing
import HeraldCore
import HeraldDelivery
@_spi(StoreSQL) import HeraldStore
@_spi(StoreSQL) import HeraldTestSupport
import HeraldWorker

/// `herald run` as a service, in process: reload on SIGHUP (a broken file keeps the old
/// catalog), and SIGTERM with calls in flight. Signals arrive through the same stream type
/// the real signal handlers feed.
@Suite struct WorkerServiceTests {
    private func service(_ harness: DeliveryHarness) -> WorkerService {
        let lines = harness.logLines
        return WorkerService(configPath: harness.fixture.configPath, store: harness.store.location,
                             secrets: SecretSource(environment: [:]), clock: harness.clock,
                             log: EventLog { lines.append($0) }, transport: harness.transport)
    }

    /// Waits (real time) until `condition` holds; false after `seconds` (generous: the
    /// whole suite shares two cores).
    private func eventually(_ seconds: Double = 60, _ condition: () throws -> Bool) async rethrows -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if try condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return try condition()
    }

    @Test(.timeLimit(.minutes(1))) func reloadKeepsTheOldCatalogWhenTheNewOneIsBroken() async throws {
        let gateway = try LoopbackGateway()
        let harness = try DeliveryHarness(gateway: gateway, extraConfig: "evaluate_every: '1s',")
        let (signals, send) = AsyncStream.makeStream(of: ServiceSignal.self)
        let worker = service(harness)
        let running = Task { try await worker.run(signals: signals) }
        #expect(await eventually { gateway.requests.count == 3 })

        try harness.fixture.folder.write("Triggers/silent.json5", "{ id: 'silent', kind: 'inactivity', params: { days: }")
        send.yield(.reload)
        #expect(await eventually { harness.logLines.all.contains { $0.contains("event=config.reload_rejected") } })
        let rejection = harness.logLines.all.first { $0.contains("config.reload_rejected") } ?? ""
        #expect(rejection.contains("silent.json5:1:"))
        // The old catalog keeps working: the next evaluations still run, and plan nothing twice.
        harness.clock.advance(by: 60)
        try await Task.sleep(for: .milliseconds(1500))
        #expect(gateway.requests.count == 3)

        try harness.fixture.folder.write("Triggers/silent.json5", EvaluationFixture.trigger("silent", kind: "inactivity",
                                                                                            "params: { days: 30 }"))
        try harness.fixture.folder.write("Triggers/again.json5", EvaluationFixture.trigger("again", kind: "inactivity",
                                                                                           "params: { days: 30 }"))
        send.yield(.reload)
        #expect(await eventually { gateway.requests.count == 6 })
        #expect(harness.logLines.all.contains { $0.contains("event=config.reloaded triggers=2") })
        // Both reloads are in the audit log, the rejected one with where the config broke.
        var reloads: [String] = []
        try harness.store.forEachAuditEntry(since: nil, actor: nil) { reloads.append("\($0.action): \($0.detail)") }
        #expect(reloads.count == 2 && reloads[0].hasPrefix("config reload: rejected, the previous config kept: ")
                && reloads[0].contains("silent.json5:1:") && reloads[1] == "config reload: accepted: 2 triggers", "\(reloads)")
        send.yield(.terminate)
        let report = try await running.value
        #expect(report.delivery.sent == 6 && report.depth["sent"] == 6)
    }

    @Test(.timeLimit(.minutes(1))) func terminateLetsCallsInFlightFinish() async throws {
        let gateway = try LoopbackGateway { _ in .status(200, delay: 0.5) }
        let harness = try DeliveryHarness(gateway: gateway, members: DeliveryHarness.silentMembers(12),
                                          dispatch: "shutdown_timeout: '10s'")
        let (signals, send) = AsyncStream.makeStream(of: ServiceSignal.self)
        let worker = service(harness)
        let running = Task { try await worker.run(signals: signals) }
        #expect(await eventually { gateway.requests.count >= 1 })
        send.yield(.terminate)
        let report = try await running.value
        let rows = try harness.rows()
        // Calls in flight finished and were recorded; nothing is left leased; the rest waits.
        #expect(!rows.contains { $0.status == "sending" })
        #expect(rows.count { $0.status == "sent" } == gateway.requests.count)
        #expect(rows.count { $0.status == "sent" } == report.delivery.sent && report.delivery.sent >= 1)
        #expect(rows.count { $0.status == "pending" } == 12 - report.delivery.sent)
    }

    @Test(.timeLimit(.minutes(1))) func terminateReleasesCallsThatOutliveTheShutdownTimeout() async throws {
        let gateway = try LoopbackGateway { _ in .status(200, delay: 8) }
        let harness = try DeliveryHarness(gateway: gateway, members: DeliveryHarness.silentMembers(4), channels: """
            sms: { adapter: "http", url: "\(gateway.url)", timeout: "30s", concurrency: 4 },
            """, dispatch: "shutdown_timeout: '1s'")
        let (signals, send) = AsyncStream.makeStream(of: ServiceSignal.self)
        let worker = service(harness)
        let running = Task { try await worker.run(signals: signals) }
        #expect(await eventually { gateway.requests.count == 4 })
        let stopped = ContinuousClock.now
        send.yield(.terminate)
        _ = try await running.value
        #expect(ContinuousClock.now - stopped < .seconds(5))
        #expect(try harness.rows().map(\.status) == ["pending", "pending", "pending", "pending"])
        #expect(harness.logLines.all.contains { $0.contains("event=service.shutdown_deadline") })
    }

    @Test(.timeLimit(.minutes(1))) func aRunSweepsWhatRetentionNoLongerKeeps() async throws {
        let gateway = try LoopbackGateway { _ in .status(200, body: #"{"message_id":"p"}"#) }
        let harness = try DeliveryHarness(gateway: gateway,
                                          extraConfig: #"retention: { events: "400d", attempts: "90d", outbox: "400d" },"#)
        let store = harness.store
        // An event and a finished message from two years before the run's instant.
        let longAgo = harness.clock.now().epochSeconds - 730 * 86_400
        try store.database.prepare("""
            INSERT INTO events (id, member_key, type, at, payload, ingested_at)
            SELECT 'ancient', key, 'purchase', ?, '{}', ? FROM members WHERE id = 'M1'
            """).run([.integer(longAgo), .integer(longAgo)])
        try store.database.prepare("""
            INSERT INTO outbox (trigger_id, member_key, occurrence_key, idempotency_key, category, channel, address, template,
                body, scheduled_at, next_attempt_at, created_at, updated_at, status, local_day)
            SELECT 'silent', key, 'ancient', 'k-ancient', 'service', 'sms', '+8613800000001', 't', 'b', ?, ?, ?, ?, 'sent', '2024-03-01'
            FROM members WHERE id = 'M1'
            """).run([.integer(longAgo), .integer(longAgo), .integer(longAgo), .integer(longAgo)])
        _ = try await service(harness).runOnce()
        #expect(try store.database.scalarInteger("SELECT count(*) FROM events WHERE id = 'ancient'") == 0)
        #expect(try store.database.scalarInteger("SELECT count(*) FROM outbox WHERE occurrence_key = 'ancient'") == 0)
        #expect(try store.database.scalarInteger("SELECT count(*) FROM outbox WHERE status = 'sent'") == 3,
                "the run's own sends went with the old one")
        let swept = try #require(harness.logLines.all.first { $0.contains("event=retention.swept") })
        #expect(swept.contains("events=1") && swept.contains("messages=1"), "\(swept)")
    }

    @Test(.timeLimit(.minutes(1))) func metricsFileAfterARun() async throws {
        let gateway = try LoopbackGateway { request in
            request.body.contains("13800000002") ? .status(503, body: "busy") : .status(200, body: #"{"message_id":"p"}"#, delay: 0.06)
        }
        let harness = try DeliveryHarness(gateway: gateway, members: DeliveryHarness.silentMembers(3) + "\nM4,,,,,,,2024-01-01,2025-12-01,no,no,")
        let path = harness.fixture.folder.file("herald.prom")
        let lines = harness.logLines
        let worker = WorkerService(configPath: harness.fixture.configPath, store: harness.store.location,
                                   secrets: SecretSource(environment: [:]), clock: harness.clock,
                                   log: EventLog { lines.append($0) }, metricsPath: path, transport: harness.transport)
        _ = try await worker.runOnce()
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let samples = Dictionary(text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { line in
            let parts = line.split(separator: " ")
            return (String(parts[0]), String(parts[1]))
        }, uniquingKeysWith: { first, _ in first })
        #expect(samples["herald_evaluations_total"] == "1")
        #expect(samples["herald_planned_total"] == "3")
        // Four silent members are candidates: three planned, one without an address.
        #expect(samples["herald_trigger_candidates{trigger=\"silent\"}"] == "4")
        #expect(Double(samples["herald_trigger_evaluation_seconds{trigger=\"silent\"}"] ?? "") ?? -1 >= 0)
        let done = try #require(lines.all.first { $0.contains("event=evaluation.done") })
        #expect(done.contains(" candidates=4 ") && done.contains(#" trigger_candidates="silent=4""#))
        #expect(done.range(of: #" trigger_seconds="silent=\d+\.\d{3}""#, options: .regularExpression) != nil)
        #expect(samples["herald_suppressed_total{reason=\"no_channel\"}"] == "1")
        #expect(samples["herald_deliveries_total{channel=\"sms\",outcome=\"sent\"}"] == "2")
        #expect(samples["herald_deliveries_total{channel=\"sms\",outcome=\"retry\"}"] == "1")
        #expect(samples["herald_deliveries_total{channel=\"sms\",outcome=\"throttled\"}"] == "0")
        #expect(samples["herald_returned_leases_total"] == "0")
        #expect(samples["herald_coupons_issued_total"] == "0")
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o640)
        #expect(samples["herald_outbox_rows{status=\"sent\"}"] == "2")
        #expect(samples["herald_outbox_rows{status=\"pending\"}"] == "1")
        // The retried row is due in the future: nothing waits yet.
        #expect(samples["herald_outbox_oldest_due_age_seconds{channel=\"sms\"}"] == "0")
        // Two calls took ≥ 60 ms (load only adds to that), one was answered at once: three observations,
        // at most one of them within 50 ms.
        #expect(samples["herald_delivery_latency_seconds_count{channel=\"sms\"}"] == "3")
        #expect(Int(samples["herald_delivery_latency_seconds_bucket{channel=\"sms\",le=\"0.05\"}"] ?? "") ?? 9 <= 1)
        #expect(samples["herald_delivery_latency_seconds_bucket{channel=\"sms\",le=\"+Inf\"}"] == "3")
        #expect(text.contains("# TYPE herald_delivery_latency_seconds histogram"))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: harness.fixture.folder.path).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty)
    }
}
