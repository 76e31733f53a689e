import Foundation
import HeraldCore
import HeraldDelivery
import HeraldStore

/// What a routed answer means for its row (SPEC 5 and 7, issue 11): the one place that
/// decides retry, deferral, fallback, failure or suppression, that records every provider
/// tried, prices what was accepted, and that reduces the gateways' words (`ErrorRedactor`)
/// before they are stored or logged.
struct CallOutcome {
    let retry: RetryPolicy
    /// How long after its first deferral a throttled row may still be deferred.
    let maxDeferral: TimeInterval
    let redactor: ErrorRedactor
    /// When a row a provider throttled per number may be tried again: its window's next opening.
    let nextOpening: (ClaimedSend, Date) -> Date

    /// A number throttled by its carrier is tried at the window's next openings for at most
    /// this long after the first time (a daily limit lifts the next day).
    static let recipientDeferralLimit: TimeInterval = 3 * 86_400

    func record(for send: ClaimedSend, routed: RoutedResult, pricePerSegment: Double?, startedAt: Date,
                finishedAt: Date, latency: Duration,
                using generator: inout some RandomNumberGenerator) -> DeliveryRecord {
        let result = routed.result
        // Every provider call but the one whose answer decides the row gets its own attempt line.
        var earlier = routed.tries
        let deciding = earlier.lastIndex { $0.provider == routed.provider && $0.result == result }
            .map { earlier.remove(at: $0) }
        var record = DeliveryRecord(key: send.key, outcome: .failed, startedAt: startedAt, finishedAt: finishedAt,
                                    calledGateway: !routed.tries.isEmpty,
                                    latencyMilliseconds: Self.milliseconds(deciding?.latency ?? latency),
                                    httpStatus: result.httpStatus)
        record.provider = routed.provider
        record.earlierTries = earlier.map {
            DeliveryRecord.ProviderTry(provider: $0.provider, httpStatus: $0.result.httpStatus,
                                       error: $0.result.error.map(redactor.reduce),
                                       latencyMilliseconds: Self.milliseconds($0.latency))
        }
        switch result {
        case .accepted(let providerID, _):
            record.outcome = .sent(providerID: providerID)
            if let price = pricePerSegment {
                record.costMillifen = Int64((Double(max(send.segments ?? 1, 1)) * price * 100_000).rounded())
            }
        case .transient(let error, _, let retryAfter):
            retryOrGiveUp(&record, send: send, reason: redactor.reduce(error), retryAfter: retryAfter, using: &generator)
        case .throttled(let error, _, let retryAfter):
            let delay = retry.delay(afterAttempt: send.deferrals + 1, retryAfter: retryAfter, using: &generator)
            postpone(&record, send: send, until: finishedAt + delay, error: error, firstGranted: true,
                  limit: maxDeferral, limitName: "dispatch.max_deferral", what: "throttled by the gateway",
                  at: finishedAt)
        case .unavailable(let error, let retryAfter):
            postpone(&record, send: send, until: finishedAt + retryAfter, error: error, firstGranted: true,
                  limit: maxDeferral, limitName: "dispatch.max_deferral", what: "no provider available",
                  at: finishedAt)
        case .recipientThrottled(let error, _):
            postpone(&record, send: send, until: nextOpening(send, finishedAt), error: error, firstGranted: false,
                  limit: Self.recipientDeferralLimit, limitName: "the per-number limit",
                  what: "throttled for this number", at: finishedAt)
        case .recipientPermanent(let error, _):
            record.error = redactor.reduce(error)
            record.suppressesAddress = send.channelKind
            record.outcome = send.hasFallback ? .fallback : .failed
        case .recipientGone(let error, _):
            record.error = redactor.reduce(error)
            record.clearsAddress = send.channelKind
            record.outcome = send.hasFallback ? .fallback : .failed
        case .recipientRefused(let error, _):
            record.error = redactor.reduce(error)
            record.withdrawsConsent = send.channelKind
            record.outcome = send.hasFallback ? .fallback : .failed
        case .permanent(let error, _), .misconfigured(let error, _):
            record.error = redactor.reduce(error)
            record.outcome = send.hasFallback ? .fallback : .failed
        case .cancelled:
            record.outcome = .released
            record.error = "abandoned at the shutdown deadline; the call may have reached the gateway"
        }
        return record
    }

    /// Defers the row to `until` without spending an attempt, within `limit` from its first
    /// deferral (the first is always granted, up to the limit, when `firstGranted`); past its
    /// `expire` it expires instead, past the limit it fails.
    private func postpone(_ record: inout DeliveryRecord, send: ClaimedSend, until wanted: Date, error: String,
                       firstGranted: Bool, limit: TimeInterval, limitName: String, what: String, at now: Date) {
        let deadline = (send.deferredSince ?? now) + limit
        let until = firstGranted && send.deferredSince == nil ? min(wanted, deadline) : wanted
        record.error = redactor.reduce(error)
        if let expiresAt = send.expiresAt, until >= expiresAt, expiresAt <= deadline {
            record.outcome = .expired
            record.error = "\(what) until after it expired: \(record.error ?? "")"
        } else if until > deadline {
            record.error = "\(what) for longer than \(limitName) (\(TimeSpan(seconds: Int64(limit)))): \(record.error ?? "")"
        } else {
            record.outcome = .deferred(until: until)
        }
    }

    static func milliseconds(_ latency: Duration) -> Int { Int((latency.inSeconds * 1000).rounded()) }
}

extension CallOutcome {
    /// What the coupon system's answer means for the row: issued, it returns to the queue for
    /// its message (no attempt spent); refused, it fails without one; a fault is retried with
    /// backoff, each call an attempt, and a 429 waits uncharged, as a message's would. No
    /// other channel is tried: the coupon is the same whichever channel carries it.
    func record(for send: ClaimedSend, issuer: String, answer: CouponIssuance, startedAt: Date, finishedAt: Date,
                latency: Duration, using generator: inout some RandomNumberGenerator) -> DeliveryRecord {
        var record = DeliveryRecord(key: send.key, outcome: .failed, startedAt: startedAt, finishedAt: finishedAt,
                                    calledGateway: true, latencyMilliseconds: Self.milliseconds(latency))
        record.provider = issuer
        guard case .failed(let result) = answer else {
            if case .issued(let code) = answer { record.outcome = .couponIssued(code: code) }
            record.calledGateway = false
            return record
        }
        record.httpStatus = result.httpStatus
        let reason = "coupon not issued by \(issuer): " + redactor.reduce(result.error ?? "no answer")
        switch result {
        case .transient(_, _, let retryAfter):
            retryOrGiveUp(&record, send: send, reason: reason, retryAfter: retryAfter, givenUp: "; no message sent",
                          using: &generator)
        case .throttled(let error, _, let retryAfter):
            // Waits without spending an attempt, within dispatch.max_deferral, as a throttled message does.
            let delay = retry.delay(afterAttempt: send.deferrals + 1, retryAfter: retryAfter, using: &generator)
            postpone(&record, send: send, until: finishedAt + delay, error: "coupon not issued by \(issuer): \(error)",
                     firstGranted: true, limit: maxDeferral, limitName: "dispatch.max_deferral",
                     what: "throttled by the coupon system", at: finishedAt)
            if case .failed = record.outcome { record.error = (record.error ?? reason) + "; no message sent" }
        case .cancelled:
            record.outcome = .released
            record.error = "abandoned at the shutdown deadline; the coupon system may have issued it "
                + "(asked again with the same key)"
        default:
            record.error = reason + "; no message sent"
        }
        return record
    }

    /// Pending again after the backoff while attempts are left; else failed, `givenUp` after the reason.
    func retryOrGiveUp(_ record: inout DeliveryRecord, send: ClaimedSend, reason: String, retryAfter: TimeInterval?,
                       givenUp: String = "", using generator: inout some RandomNumberGenerator) {
        let attempts = send.attempts + 1
        if retry.allowsRetry(afterAttempts: attempts) {
            record.outcome = .retry(at: record.finishedAt + retry.delay(afterAttempt: attempts, retryAfter: retryAfter,
                                                                        using: &generator))
            record.error = reason
        } else {
            record.error = "gave up after \(attempts) attempt\(attempts == 1 ? "" : "s"): \(reason)\(givenUp)"
        }
    }
}
