import Foundation
import HeraldCore

/// The outbox as one worker's dispatcher sees it (SPEC 4–5), and the operator's tools.
///
/// Every method is one transaction, so two workers never claim the same row, and a crash at
/// any instant leaves each row either claimed (and returned when its lease runs out) or not —
/// never lost. A live worker extends its own leases and never recovers its own rows; a
/// recovered row costs an attempt only if its call had started.
public protocol OutboxQueue: AnyObject {
    /// This worker's name on the leases it holds.
    var owner: String { get }

    /// Claims up to `limit` rows of `channel` due at `now`, oldest first, leased to this worker until `leaseUntil`.
    func claim(channel: String, limit: Int, now: Date, leaseUntil: Date) throws -> [ClaimedSend]
    /// Moves the lease of every row this worker holds to `until`. Returns how many.
    @discardableResult
    func extendLeases(until: Date) throws -> Int
    /// Returns other workers' rows whose lease ran out to the queue, due at once; a row whose
    /// call had started is charged an attempt (`lost`), one never called goes back as it was.
    @discardableResult
    func recoverExpiredLeases(now: Date, maxAttempts: Int) throws -> OutboxRecovery
    /// The re-check right before the calls, and the calls' start, in one transaction: for each
    /// row, reads consent, zone and expiry as they are now and asks `decide`; a row `decide`
    /// passes (nil) is marked started, any other answer is written as the row's outcome.
    func startCalls(_ sends: [ClaimedSend], now: Date,
                    decide: (ClaimedSend, CallFacts) -> (DeliveryRecord.Outcome, String)?) throws -> [CallStart]
    /// Writes the outcomes of claimed rows, all in one transaction; returns how many coupons
    /// it issued (a `deliver: "all"` companion's issuance of a coupon already issued is none).
    @discardableResult
    func record(_ records: [DeliveryRecord]) throws -> Int
    /// Returns this worker's claimed rows to the queue untouched (graceful shutdown).
    func release(_ keys: [Int64], now: Date) throws
    /// Per channel, when the longest-waiting due row fell due; channels with nothing due are absent.
    func oldestDue(now: Date) throws -> [String: Date]
    /// When the next pending row falls due (nil: none pending).
    func nextDueAt() throws -> Date?
    /// Rows per status (every status present, zero when none).
    func depth() throws -> [String: Int]

    // MARK: The operator's tools (`herald outbox list/show/retry/cancel`)

    /// Matching rows, newest first, and how many match in all.
    func entries(_ filter: OutboxFilter) throws -> (entries: [OutboxEntry], total: Int)
    /// One row and every attempt on it; nil when there is no such row.
    func entry(key: Int64) throws -> (entry: OutboxEntry, attempts: [OutboxEntry.Attempt])?
    /// Puts failed, expired or cancelled rows back in the queue, due now, with a fresh attempt
    /// budget. `key` nil: every failed row. Returns how many.
    func retry(key: Int64?, now: Date) throws -> Int
    /// Cancels pending rows: one (`key`), or every pending row of `triggerID`, naming `actor`
    /// on each ("cancelled by …"). Returns how many.
    @discardableResult
    func cancel(key: Int64?, triggerID: String?, by actor: String, now: Date) throws -> Int
}
