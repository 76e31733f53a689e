import Foundation
import Testing
import HeraldCore
@_spi(StoreSQL) import HeraldStore
@_spi(StoreSQL) import HeraldTestSupport
import HeraldWorker

/// The dispatcher against a real HTTP gateway on loopback: every retry path, permanent
/// failures, channel fallback, the re-checks before a call, rate limit, concurrency and leases.
@Suite struct DispatcherTests {
    @Test(arguments: StoreBackend.allCases) func acceptedSendsAreSentOnceWithTheirKeyAndAttempt(_ backend: StoreBackend) async throws {
        let gateway = try LoopbackGateway()
        let harness = try DeliveryHarness(gateway: gateway, backend: backend)
        #expect(try harness.plan().written == 3)
        #expect(try harness.plan().written == 0)  // re-running the evaluation plans nothing twice
        let dispatcher = try harness.dispatcher()
        await dispatcher.drain()
        #expect(try harness.rows().map(\.status) == ["sent", "sent", "sent"])
        #expect(gateway.keyCounts.count == 3 && gateway.keyCounts.values.allSatisfy { $0 == 1 })
        let body = try #require(gateway.requests.first?.body)
        #expect(body.contains("\"to\": \"+86138000000") && body.contains("\"idempotency_key\": \"hk-"))
        #expect(try harness.attemptOutcomes(member: "M1") == ["sent"])
        let provider = try harness.store.database.scalarInteger("SELECT count(*) FROM outbox WHERE provider_id = 'ok'")
        #expect(provider == 3)
        #expect(await dispatcher.totals.sent == 3)
    }

    @Test(arguments: StoreBackend.allCases) func serverErrorsRetryWithBackoffThenSucceed(_ backend: StoreBackend) async throws {
        let gateway = try LoopbackGateway { request in
            request.occurrence == 1 ? .status(503, body: "busy") : .status(200)
        }
        let harness = try DeliveryHarness(gateway: gateway, backend: backend, members: DeliveryHarness.silentMembers(1))
        try harness.plan()
        let dispatcher = try harness.dispatcher()
        let start = harness.clock.now().epochSeconds
        await dispatcher.drain()
        let waiting = try #require(try harness.rows().first)
        #expect(waiting.status == "pending" && waiting.attempts == 1 && waiting.lastError?.contains("HTTP 503") == true)
        // Equal jitter on a 60 s base: the first retry comes 30–60 s later.
        #expect((start + 30...start + 60).contains(waiting.nextAttemptAt))
        await dispatcher.drain()
        #expect(gateway.requests.count == 1)  // not due yet
        harness.clock.advance(by: 61)
        await dispatcher.drain()
        #expect(try harness.rows().map(\.status) == ["sent"])
        #expect(gateway.requests.map(\.idempotencyKey).count == 2 && Set(gateway.requests.map(\.idempotencyKey)).count == 1)
        #expect(try harness.attemptOutcomes(member: "M1") == ["retry", "sent"])
    }

    @Test(arguments: StoreBackend.allCases) func retryAfterIsHonoured(_ backend: StoreBackend) async throws {
        let gateway = try LoopbackGateway { request in
            request.occurrence == 1 ? .status(429, headers: ["Retry-After": "300"], body: "slow down") : .status(200)
        }
        let harness = try DeliveryHarness(gateway: gateway, backend: backend, members: DeliveryHarness.silentMembers(1))
        try harness.plan()
        let start = harness.clock.now().epochSeconds
        try await harness.dispatcher().drain()
        #expect(try harness.rows().first?.nextAttemptAt == start + 300)
    }

    @Test(arguments: StoreBackend.allCases) func timeoutsAndDroppedConnectionsRetryUntilAttemptsRunOut(_ backend: StoreBackend) async throws {
        let gateway = try LoopbackGateway { request in
            request.occurrence == 1 ? .status(200, delay: 2.5) : .closeMidResponse
        }
        let harness = try DeliveryHarness(gateway: gateway, backend: backend, members: DeliveryHarness.silentMembers(1), timeout: "1s")
        try harness.plan()
        let dispatcher = try harness.dispatcher()
        for _ in 0..<3 {
            await dispatcher.drain()
            harness.clock.advance(by: 3600)
        }
        let row = try #require(try harness.rows().first)
        #expect(row.status == "failed" && row.attempts == 3)
        #expect(row.lastError?.hasPrefix("gave up after 3 attempts: connection error") == true)
        #expect(try harness.attemptOutcomes(member: "M1") == ["retry", "retry", "failed"])
        let errors = try harness.store.database.prepare("SELECT error FROM delivery_attempts ORDER BY attempt")
        _ = try errors.step()
        #expect(errors.text(at: 0) == "timed out after 1s")
    }

    @Test(arguments: StoreBackend.allCases) func clientErrorsFailAtOnce(_ backend: StoreBackend) async throws {
        let gateway = try LoopbackGateway { _ in .status(400, body: #"{"error":"bad number"}"#) }
        let harness = try DeliveryHarness(gateway: gateway, backend: backend, members: DeliveryHarness.silentMembers(1))
        try harness.plan()
        try await harness.dispatcher().drain()
        let row = try #require(try harness.rows().first)
        #expect(row.status == "failed" && row.attempts == 1 && row.lastError?.contains("bad number") == true)
        #expect(gateway.requests.count == 1)
    }

    @Test(arguments: StoreBackend.allCases) func aPermanentPushFailureFallsBackToSMS(_ backend: StoreBackend) async throws {
        let gateway = try LoopbackGateway { request in
            request.body.contains("\"channel\": \"push\"") ? .status(410, body: "invalid push token") : .status(200)
        }
        let harness = try DeliveryHarness(gateway: gateway, backend: backend, members: DeliveryHarness.silentMembers(1),
                                          trigger: "channels: ['push', 'sms']")
        try harness.plan()
        #expect(try harness.rows().first?.channel == "push")
        try await harness.dispatcher().drain()
        let row = try #require(try harness.rows().first)
        #expect(row.channel == "sms" && row.status == "sent")
        #expect(try harness.attemptOutcomes(member: "M1") == ["fallback", "sent"])
        let keys = gateway.requests.map(\.idempotencyKey)
        #expect(keys.count == 2 && keys[1] == keys[0] + "/sms")
        #expect(gateway.requests[1].body.contains("【品牌】") && gateway.requests[1].body.contains("回T退订"))
    }

    @Test(arguments: StoreBackend.allCases) func theRecheckCancelsExpiresAndReschedules(_ backend: StoreBackend) async throws {
        let gateway = try LoopbackGateway()
        // Window 10:00-12:00 each day, expire after 2 hours; planned at 11:00.
        let harness = try DeliveryHarness(gateway: gateway, backend: backend, trigger: "window: { hours: ['10:00-12:00'] }, expire: '2h'",
                                          at: "2026-03-10 11:00:00")
        try harness.plan()
        try harness.store.database.execute("UPDATE members SET consent_sms = 'no' WHERE id = 'M1'")
        harness.clock.set(harness.fixture.at("2026-03-10 12:30:00"))
        try harness.store.database.execute("""
            UPDATE outbox SET expires_at = \(harness.fixture.at("2026-03-11 09:00:00").epochSeconds)
            WHERE member_key = (SELECT key FROM members WHERE id = 'M2')
            """)
        try harness.store.database.execute("""
            UPDATE outbox SET expires_at = \(harness.fixture.at("2026-03-10 12:00:00").epochSeconds)
            WHERE member_key = (SELECT key FROM members WHERE id = 'M3')
            """)
        try await harness.dispatcher().drain()
        let rows = try harness.rows()
        #expect(rows.map(\.status) == ["cancelled", "expired", "expired"])
        #expect(rows[0].lastError == "consent for sms withdrawn" && rows[1].lastError?.contains("window opens again") == true)
        #expect(gateway.requests.isEmpty)

        let later = try DeliveryHarness(gateway: gateway, backend: backend, members: DeliveryHarness.silentMembers(1),
                                        trigger: "window: { hours: ['10:00-12:00'] }", at: "2026-03-10 11:00:00")
        try later.plan()
        later.clock.set(later.fixture.at("2026-03-10 12:30:00"))
        let dispatcher = try later.dispatcher()
        await dispatcher.drain()
        let rescheduled = try #require(try later.rows().first)
        #expect(rescheduled.status == "pending" && rescheduled.attempts == 0
                && rescheduled.nextAttemptAt == later.fixture.at("2026-03-11 10:00:00").epochSeconds)
        later.clock.set(later.fixture.at("2026-03-11 10:00:00"))
        await dispatcher.drain()
        #expect(try later.rows().map(\.status) == ["sent"])
        #expect(try later.attemptOutcomes(member: "M1") == ["rescheduled", "sent"])
    }

    @Test(arguments: StoreBackend.allCases) func concurrencyIsBoundedPerChannel(_ backend: StoreBackend) async throws {
        let gateway = try LoopbackGateway { _ in .status(200, delay: 0.1) }
        let harness = try DeliveryHarness(gateway: gateway, backend: backend, members: DeliveryHarness.silentMembers(12), channels: """
            sms: { adapter: "http", url: "\(gateway.url)", concurrency: 3 },
            """)
        try harness.plan()
        try await harness.dispatcher().drain()
        #expect(try harness.rows().allSatisfy { $0.status == "sent" })
        #expect(gateway.maxConcurrentRequests == 3)
    }

    @Test(arguments: StoreBackend.allCases) func theRateLimitSpacesCalls(_ backend: StoreBackend) async throws {
        let gateway = try LoopbackGateway()
        let harness = try DeliveryHarness(gateway: gateway, backend: backend, members: DeliveryHarness.silentMembers(45), channels: """
            sms: { adapter: "http", url: "\(gateway.url)", concurrency: 8, rate_per_second: 20 },
            """)
        try harness.plan()
        try await harness.dispatcher().drain()
        #expect(try harness.rows().allSatisfy { $0.status == "sent" })
        // A burst of 2, then one call every 50 ms: 43 gaps of 50 ms at the least. Times are taken
        // where the channel starts each call, after the dispatcher took the token: a loaded
        // machine can delay a task by tens of milliseconds and bunch a few, hence the allowance.
        // (The token bucket itself is tested exactly, by moving time, in AdaptiveRateTests.)
        let times = harness.callStarts.all
        #expect(times.count == 45)
        let span = (times.max()! - times.min()!).inSeconds
        #expect(span >= 43 * 0.05 * 0.9)
        // No 1-second window holds more than rate + burst calls, plus 3 for the bunching.
        for start in times {
            #expect(times.count { $0 >= start && $0 < start + .seconds(1) } <= 20 + 2 + 3)
        }
    }

    @Test(arguments: StoreBackend.allCases) func rowsOfACrashedWorkerReturnWhenTheirLeaseRunsOut(_ backend: StoreBackend) async throws {
        let gateway = try LoopbackGateway()
        let harness = try DeliveryHarness(gateway: gateway, backend: backend, members: DeliveryHarness.silentMembers(3))
        try harness.plan()
        // A worker claims every row, starts the call of M1's row only, and dies.
        let crashed = try SQLOutboxQueue(store: harness.store, owner: "crashed")
        let now = harness.clock.now()
        let claimed = try crashed.claim(channel: "sms", limit: 10, now: now, leaseUntil: now + 300)
        #expect(claimed.count == 3)
        #expect(try crashed.claim(channel: "sms", limit: 10, now: now, leaseUntil: now + 300).isEmpty)
        let first = try #require(claimed.first { $0.memberID == "M1" })
        #expect(try crashed.startCalls([first], now: now) { _, _ in nil } == [.call])
        let dispatcher = try harness.dispatcher()
        await dispatcher.drain()
        #expect(try gateway.requests.isEmpty && harness.rows().allSatisfy { $0.status == "sending" })
        harness.clock.advance(by: 301)
        await dispatcher.drain()
        #expect(try harness.rows().map(\.status) == ["sent", "sent", "sent"])
        // Only the row whose call had started is charged: it may have reached the gateway.
        #expect(try harness.attemptOutcomes(member: "M1") == ["lost", "sent"])
        #expect(try harness.attemptOutcomes(member: "M2") == ["sent"])
        #expect(try harness.rows().map(\.attempts) == [2, 1, 1])
        let totals = await dispatcher.totals
        #expect(totals.recoveredLeases == 1 && totals.returnedLeases == 2)
    }

    @Test(arguments: StoreBackend.allCases) func aLiveWorkerKeepsItsLeasesAndNeverRecoversItsOwnRows(_ backend: StoreBackend) async throws {
        let gateway = try LoopbackGateway()
        // 2 calls a second and a 10-second lease, while wall time runs ten times fast: the lane
        // claims all 6 rows at once, and the last of them waits 25 s, past the lease it was claimed with.
        let harness = try DeliveryHarness(gateway: gateway, backend: backend, members: DeliveryHarness.silentMembers(6), channels: """
            sms: { adapter: "http", url: "\(gateway.url)", timeout: "1s", concurrency: 4, rate_per_second: 2 },
            """, dispatch: "max_attempts: 3, backoff: '60s', lease: '10s'")
        try harness.plan()
        let clock = harness.clock
        let ticking = Task {
            // Wall time moves one second per 100 ms while the dispatcher works: leases age fast.
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(100))
                clock.advance(by: 1)
            }
        }
        defer { ticking.cancel() }
        let dispatcher = try harness.dispatcher()
        await dispatcher.drain()
        ticking.cancel()
        #expect(try harness.rows().map(\.status) == Array(repeating: "sent", count: 6))
        #expect(gateway.keyCounts.values.allSatisfy { $0 == 1 } && gateway.keyCounts.count == 6)
        let totals = await dispatcher.totals
        #expect(totals.recoveredLeases == 0 && totals.returnedLeases == 0)
        #expect(try harness.store.database.scalarInteger("SELECT count(*) FROM delivery_attempts WHERE outcome = 'lost'") == 0)
    }
}
