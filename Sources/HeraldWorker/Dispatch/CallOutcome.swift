import Foundation
import HeraldCore
import HeraldDelivery
import HeraldStore

/// What a classified gateway answer means for its row (SPEC 5, issue 11): the one place that
/// decides retry, deferral, fallback or failure, and that reduces the gateway's words
/// (`ErrorRedactor`) before they are stored or logged.
struct CallOutcome {
    let retry: RetryPolicy
    /// How long after its first deferral a throttled row may still be deferred.
    let maxDeferral: TimeInterval
    let redactor: ErrorRedactor

    func record(for send: ClaimedSend, result: ChannelResult, startedAt: Date, finishedAt: Date,
                latency: Duration, using generator: inout some RandomNumberGenerator) -> DeliveryRecord {
        var record = DeliveryRecord(key: send.key, outcome: .failed, startedAt: startedAt, finishedAt: finishedAt,
                                    calledGateway: true,
                                    latencyMilliseconds: Int((latency.inSeconds * 1000).rounded()),
                                    httpStatus: result.httpStatus)
        switch result {
        case .accepted(let providerID, _):
            record.outcome = .sent(providerID: providerID)
        case .transient(let error, _, let retryAfter):
            let reduced = redactor.reduce(error)
            let attempts = send.attempts + 1
            if retry.allowsRetry(afterAttempts: attempts) {
                record.outcome = .retry(at: finishedAt + retry.delay(afterAttempt: attempts, retryAfter: retryAfter,
                                                                     using: &generator))
                record.error = reduced
            } else {
                record.error = "gave up after \(attempts) attempt\(attempts == 1 ? "" : "s"): \(reduced)"
            }
        case .throttled(let error, _, let retryAfter):
            let delay = retry.delay(afterAttempt: send.deferrals + 1, retryAfter: retryAfter, using: &generator)
            // The first deferral is always granted (up to the bound); later ones while within it.
            let deadline = (send.deferredSince ?? finishedAt) + maxDeferral
            let until = send.deferredSince == nil ? min(finishedAt + delay, deadline) : finishedAt + delay
            record.error = redactor.reduce(error)
            if let expiresAt = send.expiresAt, until >= expiresAt, expiresAt <= deadline {
                record.outcome = .expired
                record.error = "throttled by the gateway until after it expired: \(record.error ?? "")"
            } else if until > deadline {
                record.error = "throttled by the gateway for longer than dispatch.max_deferral "
                    + "(\(TimeSpan(seconds: Int64(maxDeferral)))): \(record.error ?? "")"
            } else {
                record.outcome = .deferred(until: until)
            }
        case .permanent(let error, _), .misconfigured(let error, _):
            record.error = redactor.reduce(error)
            record.outcome = send.hasFallback ? .fallback : .failed
        case .cancelled:
            record.outcome = .released
            record.error = "abandoned at the shutdown deadline; the call may have reached the gateway"
        }
        return record
    }
}
