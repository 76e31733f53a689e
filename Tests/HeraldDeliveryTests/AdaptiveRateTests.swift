import Foundation
import Testing
import HeraldDelivery

/// A channel's rate under throttling, driven by given instants.
@Suite struct AdaptiveRateTests {
    private let start = ContinuousClock.now

    private func at(_ seconds: Double) -> ContinuousClock.Instant { start + .milliseconds(Int(seconds * 1000)) }

    @Test func aThrottleHalvesTheRateOncePerSecondAndPausesForTheRetryAfter() {
        var rate = AdaptiveRate(configuredRate: 100)
        #expect(rate.take(at: at(0)) == nil)
        rate.throttled(at: at(0.1), retryAfter: .seconds(3))
        #expect(rate.currentRate == 50)
        // The answers of calls already in flight are one signal, not five.
        for _ in 0..<5 { rate.throttled(at: at(0.2), retryAfter: nil) }
        #expect(rate.currentRate == 50)
        #expect(rate.take(at: at(1)) == at(3.1) - at(1))
        #expect(rate.take(at: at(3.2)) == nil)
        rate.throttled(at: at(3.3), retryAfter: nil)
        #expect(rate.currentRate == 25 && rate.pausedUntil == at(4.3))
    }

    @Test func theRateNeverGoesBelowItsFloorAndAPauseIsCapped() {
        var rate = AdaptiveRate(configuredRate: 2)
        for second in 0..<10 { rate.throttled(at: at(Double(second) * 1.5), retryAfter: .seconds(86_400)) }
        #expect(rate.currentRate == AdaptiveRate.minimumRate)
        #expect(rate.pausedUntil! <= at(13.5) + AdaptiveRate.longestPause)
        // A fast channel goes down to a sixteenth of its rate, not to a crawl.
        var fast = AdaptiveRate(configuredRate: 160)
        for second in 0..<10 { fast.throttled(at: at(Double(second) * 1.5), retryAfter: nil) }
        #expect(fast.currentRate == 10)
    }

    @Test func acceptedCallsClimbBackToTheConfiguredRate() {
        var rate = AdaptiveRate(configuredRate: 100)
        rate.throttled(at: at(0), retryAfter: nil)
        #expect(rate.currentRate == 50)
        rate.accepted(at: at(0.5))
        #expect(rate.currentRate == 50)  // not within a second of the throttle
        for second in 1...20 { rate.accepted(at: at(Double(second) * 1.01)) }
        #expect(rate.currentRate == 100)
        for second in 21...30 { rate.accepted(at: at(Double(second) * 1.01)) }
        #expect(rate.currentRate == 100)
    }

    @Test func anUnlimitedChannelIsLimitedBelowWhatItRanAtThenFreedAgain() {
        var rate = AdaptiveRate(configuredRate: nil)
        #expect(rate.currentRate == nil)
        for call in 0..<40 { #expect(rate.take(at: at(Double(call) * 0.025)) == nil) }  // 40 calls a second
        rate.throttled(at: at(1), retryAfter: nil)
        let limited = try? #require(rate.currentRate)
        #expect(limited.map { $0 >= 15 && $0 <= 25 } == true, "\(String(describing: limited))")
        for second in 2...60 { rate.accepted(at: at(Double(second) * 1.01)) }
        #expect(rate.currentRate == nil)
    }

    @Test func aStartNotUsedIsGivenBack() {
        var rate = AdaptiveRate(configuredRate: 10)
        #expect(rate.take(at: at(0)) == nil)
        #expect(rate.take(at: at(0)) != nil)
        rate.giveBack()
        #expect(rate.take(at: at(0)) == nil)
    }
}
