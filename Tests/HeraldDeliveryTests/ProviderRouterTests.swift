import Foundation
import Synchronization
import Testing
import HeraldCore
import HeraldDelivery

/// SPEC 7's routing, on scripted providers and a manual clock: failover order, what moves on
/// to the next provider and what does not, circuits (open after N failures, half-open probe
/// after the wait), weighted draws, and per-provider rate limits.
@Suite struct ProviderRouterTests {
    /// A provider whose answers a test sets, counting its calls.
    final class Scripted: Channel {
        let name: String
        private let answer: Mutex<ChannelResult>
        private let count = Mutex(0)

        init(_ name: String, _ answer: ChannelResult = .accepted(providerID: "id", httpStatus: 200)) {
            self.name = name
            self.answer = Mutex(answer)
        }

        func answer(with result: ChannelResult) { answer.withLock { $0 = result } }

        var calls: Int { count.withLock { $0 } }

        func send(_ message: ChannelMessage) async -> ChannelResult {
            count.withLock { $0 += 1 }
            return answer.withLock { $0 }
        }
    }

    static let down = ChannelResult.transient(error: "HTTP 503", httpStatus: 503, retryAfter: nil)
    static let accepted = ChannelResult.accepted(providerID: "id", httpStatus: 200)
    let message = ChannelMessage(idempotencyKey: "hk-1", channel: "sms", channelKind: .sms, to: "+8613800000001",
                                 title: nil, text: "【品牌】您好")
    let clock = ManualWallClock(Date(timeIntervalSince1970: 1_773_100_000))

    private func router(_ providers: [Scripted], strategy: ChannelConfig.Strategy = .failover, failures: Int = 3,
                        random: @escaping @Sendable () -> Double = { 0 }) -> ProviderRouter {
        var circuit = CircuitSettings()
        circuit.failures = failures
        return ProviderRouter(channel: "sms", providers: providers.map { ProviderRouter.Provider(channel: $0) },
                              strategy: strategy, circuit: circuit, clock: clock, random: random)
    }

    @Test func failoverOpensTheCircuitThenProbesItAfterTheWait() async {
        let primary = Scripted("a", Self.down)
        let backup = Scripted("b")
        let router = router([primary, backup])
        for _ in 0..<5 {
            let routed = await router.send(message)
            #expect(routed.result == Self.accepted && routed.provider == "b")
        }
        #expect(primary.calls == 3 && backup.calls == 5, "open after 3 failures in a row")
        #expect(router.circuitStates().map(\.state) == [.open, .closed])
        // 29 s later still open; at 30 s one call probes it — it fails, so it opens again.
        clock.advance(by: 29)
        _ = await router.send(message)
        #expect(primary.calls == 3)
        clock.advance(by: 1)
        let probed = await router.send(message)
        #expect(primary.calls == 4 && probed.tries.map(\.provider) == ["a", "b"])
        #expect(router.circuitStates()[0].state == .open)
        // Recovered: the next probe closes it, and it takes the traffic again.
        primary.answer(with: Self.accepted)
        clock.advance(by: 30)
        #expect(await router.send(message).provider == "a")
        #expect(router.circuitStates()[0].state == .closed)
        #expect(await router.send(message).provider == "a" && primary.calls == 6)
    }

    @Test func onlyProviderLevelAnswersMoveOnToTheNextProvider() async {
        let cases: [(ChannelResult, Bool)] = [
            (.transient(error: "timed out", httpStatus: nil, retryAfter: nil), true),
            (.throttled(error: "RequestLimitExceeded", httpStatus: 200, retryAfter: nil), true),
            (.misconfigured(error: "AuthFailure.SignatureFailure", httpStatus: 200), true),
            (.permanent(error: "FailedOperation.ContainSensitiveWord", httpStatus: 200), false),
            (.recipientPermanent(error: "FailedOperation.PhoneNumberInBlacklist", httpStatus: 200), false),
            (.recipientThrottled(error: "LimitExceeded.PhoneNumberDailyLimit", httpStatus: 200), false),
        ]
        for (answer, movesOn) in cases {
            let backup = Scripted("b")
            let routed = await router([Scripted("a", answer), backup]).send(message)
            #expect(backup.calls == (movesOn ? 1 : 0), "\(answer.name)")
            #expect(routed.result == (movesOn ? Self.accepted : answer) && routed.tries.count == (movesOn ? 2 : 1))
        }
    }

    /// Nobody took it: a transient failure wins (retried with backoff), then a throttle.
    @Test func whenEveryProviderFailsTheMostHopefulAnswerDecides() async {
        let throttled = ChannelResult.throttled(error: "429", httpStatus: 429, retryAfter: 2)
        let misconfigured = ChannelResult.misconfigured(error: "AuthFailure", httpStatus: 200)
        var routed = await router([Scripted("a", misconfigured), Scripted("b", Self.down)]).send(message)
        #expect(routed.result == Self.down && routed.provider == "b" && routed.tries.count == 2)
        routed = await router([Scripted("a", throttled), Scripted("b", misconfigured)]).send(message)
        #expect(routed.result == throttled && routed.provider == "a")
        routed = await router([Scripted("a", misconfigured)]).send(message)
        #expect(routed.result == misconfigured)
    }

    @Test func everyCircuitOpenMeansNoCallAndAWaitForTheFirstProbe() async {
        let router = router([Scripted("a", Self.down), Scripted("b", Self.down)], failures: 1)
        _ = await router.send(message)
        clock.advance(by: 10)
        let routed = await router.send(message)
        #expect(routed.tries.isEmpty && routed.provider == nil)
        guard case .unavailable(_, let retryAfter) = routed.result else {
            Issue.record("expected unavailable, got \(routed.result)")
            return
        }
        #expect(retryAfter == 20)
    }

    @Test func weightedDrawsByWeightAndSkipsAnOpenCircuit() async {
        let draws = Mutex([0.1, 0.5, 0.9, 0.9])
        let random: @Sendable () -> Double = { draws.withLock { $0.removeFirst() } }
        let a = Scripted("a")
        let b = Scripted("b")
        let router = ProviderRouter(
            channel: "sms", providers: [ProviderRouter.Provider(channel: a, weight: 1), ProviderRouter.Provider(channel: b, weight: 3)],
            strategy: .weighted, clock: clock, random: random)
        // Weights 1 and 3: draws below a quarter go to a.
        #expect(await router.send(message).provider == "a")
        #expect(await router.send(message).provider == "b")
        #expect(await router.send(message).provider == "b")
        // b failing falls over to a.
        b.answer(with: Self.down)
        let routed = await router.send(message)
        #expect(routed.tries.map(\.provider) == ["b", "a"] && routed.provider == "a")
    }

    @Test func aProvidersRateMakesItsCallsWait() async {
        let router = ProviderRouter(channel: "sms", providers: [ProviderRouter.Provider(channel: Scripted("a"), ratePerSecond: 2)],
                                    clock: clock)
        let started = ContinuousClock.now
        for _ in 0..<3 { _ = await router.send(message) }
        // One token at start, then one every half second: the third call cannot start before 1 s.
        #expect(ContinuousClock.now - started >= .milliseconds(900))
    }

    @Test func aChannelsOneInlineProviderHasNoCircuit() async {
        let only = Scripted("sms", Self.down)
        let router = ProviderRouter(channel: "sms", providers: [ProviderRouter.Provider(channel: only)], circuit: nil,
                                    clock: clock)
        for _ in 0..<10 { _ = await router.send(message) }
        #expect(only.calls == 10 && router.circuitStates()[0].state == .closed)
    }
}
