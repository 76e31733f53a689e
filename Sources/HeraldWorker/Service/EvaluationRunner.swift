import Foundation
import HeraldCore
import HeraldStore

/// `run`'s half of the scheduler: evaluates at an instant and writes the result to the
/// outbox (the same `Scheduler` as `preview`), on its own store connection.
///
/// Link tokens and coupon codes come from the system's secure generator (the sandbox's run
/// uses the preview's seeded ones); a collision
/// (71 bits of randomness) would fail the batch's UNIQUE check and the evaluation is retried
/// at the next tick, not silently dropped.
public actor EvaluationRunner {
    public struct Outcome: Sendable {
        public var evaluation: Evaluation.Counts
        public var written: OutboxWriter.Summary
        public var seconds: Double
    }

    private let store: MemberStore
    private var catalog: Catalog
    private let codeSource: SendCodes.Source

    public init(storePath: String, catalog: Catalog, codes: SendCodes.Source = .secure) throws {
        store = try MemberStore(path: storePath)
        self.catalog = catalog
        codeSource = codes
    }

    public func replace(catalog: Catalog) { self.catalog = catalog }

    /// `evaluate_every` of the catalog in force.
    public var interval: Duration { .seconds(catalog.config.evaluateEvery.seconds) }

    public func evaluate(at instant: Date) throws -> Outcome {
        let started = ContinuousClock.now
        var codes = codeSource.codes(at: instant)
        let evaluation = try Scheduler(catalog: catalog, store: store).evaluate(at: instant, codes: &codes)
        let written = try OutboxWriter(store: store).write(evaluation)
        return Outcome(evaluation: evaluation.counts, written: written, seconds: (ContinuousClock.now - started).inSeconds)
    }
}
