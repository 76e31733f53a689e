import Foundation
import HeraldCore
import HeraldStore

/// `run`'s half of the scheduler: evaluates at an instant and streams the result into the
/// outbox (the same `Scheduler` as `preview`), on a store connection of its own. The writer
/// commits every quarter second, so delivery is never held up for long; the store hands the
/// candidates over in a way that lets it (`MemberStore.forEachCandidate`).
///
/// Several workers on one store evaluate one at a time: each tick starts by holding the
/// store's evaluator lock (`MemberStore.holdEvaluatorLock`); a worker that cannot is on
/// standby for that tick and only delivers.
///
/// Link tokens and coupon codes come from the system's secure generator (the sandbox's run
/// uses the preview's seeded ones); a code the outbox already holds is drawn again, so a
/// collision never fails a batch (the UNIQUE columns stay the last word).
public actor EvaluationRunner {
    public struct Outcome: Sendable {
        public var evaluation: Evaluation.Counts
        /// Per trigger: candidates (new ones: recorded occurrences are left out), decisions, seconds.
        public var triggers: [Evaluation.TriggerSummary]
        public var written: OutboxWriteSummary
        public var seconds: Double
        /// Another worker holds the evaluator lock: nothing was evaluated.
        public var isStandby = false

        static let standby = Outcome(evaluation: Evaluation.Counts([]), triggers: [], written: OutboxWriteSummary(),
                                     seconds: 0, isStandby: true)
    }

    private let store: any MemberStore
    private var catalog: Catalog
    private let codeSource: SendCodes.Source

    public init(store location: StoreLocation, keys: StoreKeys = .none, catalog: Catalog,
                codes: SendCodes.Source = .secure) throws {
        store = try StoreFactory.open(location, keys: keys)
        self.catalog = catalog
        codeSource = codes
    }

    public func replace(catalog: Catalog) { self.catalog = catalog }

    /// `evaluate_every` of the catalog in force.
    public var interval: Duration { .seconds(catalog.config.evaluateEvery.seconds) }

    /// When retention last swept (a sweep follows a tick, at most once an hour).
    private var lastSweep: Date?

    /// Deletes what `retention` no longer keeps, in batches of 1,000 rows (each one short
    /// transaction), at most 100 a sweep; nil when there is no policy, the last sweep was less
    /// than an hour ago, or another worker evaluates (it sweeps).
    public func sweepRetention(at instant: Date) throws -> RetentionReport? {
        let policy = catalog.config.retention
        guard !policy.isEmpty, lastSweep.map({ instant.timeIntervalSince($0) >= 3_600 }) ?? true,
              try store.holdEvaluatorLock() else { return nil }
        lastSweep = instant
        return try store.applyRetention(policy, now: instant, batchSize: 1_000, maxBatches: 100)
    }

    public func evaluate(at instant: Date) throws -> Outcome {
        guard try store.holdEvaluatorLock() else { return .standby }
        let started = ContinuousClock.now
        var codes = codeSource.codes(at: instant)
        let store = store
        codes.isIssued = { code in (try? store.isSendCodeIssued(code)) ?? false }
        var writer = try store.makeOutboxWriter(at: instant)
        do {
            let scheduler = Scheduler(catalog: catalog, store: store)
            let summaries = try scheduler.evaluate(at: instant, codes: &codes, into: &writer)
            let written = try writer.finish()
            return Outcome(evaluation: Evaluation.Counts(summaries), triggers: summaries, written: written,
                           seconds: (ContinuousClock.now - started).inSeconds)
        } catch {
            writer.abandon()
            throw error
        }
    }
}
