import Foundation
import HeraldCore
import HeraldStore

/// `run`'s half of the scheduler: evaluates at an instant and streams the result into the
/// outbox (the same `Scheduler` as `preview`), on a store connection of its own. The writer
/// commits every quarter second, so delivery is never held up for long; the store hands the
/// candidates over in a way that lets it (`MemberStore.forEachCandidate`).
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
    }

    private let store: any MemberStore
    private var catalog: Catalog
    private let codeSource: SendCodes.Source

    public init(store location: StoreLocation, catalog: Catalog, codes: SendCodes.Source = .secure) throws {
        store = try StoreFactory.open(location)
        self.catalog = catalog
        codeSource = codes
    }

    public func replace(catalog: Catalog) { self.catalog = catalog }

    /// `evaluate_every` of the catalog in force.
    public var interval: Duration { .seconds(catalog.config.evaluateEvery.seconds) }

    public func evaluate(at instant: Date) throws -> Outcome {
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
