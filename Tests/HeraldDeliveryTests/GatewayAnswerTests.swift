import Foundation
import Testing
import HeraldCore
@testable import HeraldDelivery

/// How the http adapter reads a gateway's answer, and how a `Retry-After` is read.
@Suite struct GatewayAnswerTests {
    private let now = Date(timeIntervalSince1970: 1_800_000_000)

    private func classify(_ status: Int, headers: [(name: String, value: String)] = [], body: String = "") -> ChannelResult {
        HTTPChannel.classify(HTTPResponse(status: status, headers: headers, body: Array(body.utf8)), now: now)
    }

    @Test func statusesAreClassified() {
        #expect(classify(200, body: #"{"message_id":"abc"}"#) == .accepted(providerID: "abc", httpStatus: 200))
        #expect(classify(201, body: #"{"msgid":123}"#) == .accepted(providerID: "123", httpStatus: 201))
        #expect(classify(204) == .accepted(providerID: nil, httpStatus: 204))
        #expect(classify(503, body: "busy") == .transient(error: "HTTP 503: busy", httpStatus: 503, retryAfter: nil))
        #expect(classify(408) == .transient(error: "HTTP 408: ", httpStatus: 408, retryAfter: nil))
        #expect(classify(429, headers: [("Retry-After", "3")], body: "slow down")
                == .throttled(error: "HTTP 429: slow down", httpStatus: 429, retryAfter: 3))
        #expect(classify(400, body: "bad number") == .permanent(error: "HTTP 400: bad number", httpStatus: 400))
        guard case .misconfigured(let error, 302) = classify(302, headers: [("Location", "https://evil.example/x")]) else {
            Issue.record("a redirect is the channel's configuration problem")
            return
        }
        #expect(error.contains("evil.example") && error.contains("never followed"))
    }

    @Test func retryAfterThatSaysNothingUsableFallsBackToTheBackoff() {
        #expect(RetryAfter.seconds("3", now: now) == 3)
        #expect(RetryAfter.seconds(" 120 ", now: now) == 120)
        #expect(RetryAfter.seconds("0", now: now) == nil)
        #expect(RetryAfter.seconds("-5", now: now) == nil)
        #expect(RetryAfter.seconds("soon", now: now) == nil)
        #expect(RetryAfter.seconds("99999999999999999999999", now: now) == nil)
        let later = now + 90
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        #expect(RetryAfter.seconds(formatter.string(from: later), now: now) == 90)
        #expect(RetryAfter.seconds(formatter.string(from: now - 90), now: now) == nil)
    }

    @Test func theBackoffNeverComesSoonerThanHalfItsStepAndHonoursALongRetryAfterUpToItsCap() {
        let policy = RetryPolicy(maxAttempts: 4, base: 60)
        var generator = SystemRandomNumberGenerator()
        for attempt in 1...4 {
            let delay = policy.delay(afterAttempt: attempt, retryAfter: nil, using: &generator)
            let step = 60 * pow(2, Double(attempt - 1))
            #expect(delay >= step / 2 && delay <= step)
        }
        #expect(policy.delay(afterAttempt: 1, retryAfter: 1e12, using: &generator) == policy.maximum)
    }
}
