import Foundation
import HeraldCore
import HeraldStore

/// Decides who gets what at an instant: for each enabled trigger in SPEC 2.1 order, the
/// store's candidates go through the policy pipeline, and planned sends are rendered.
///
/// The one code path behind `preview` (which collects the result) and `run` (which streams
/// it into the outbox): the two cannot drift apart. Decisions leave one at a time through an
/// `EvaluationSink`, so run's memory does not grow with the audience. Evaluating itself
/// writes nothing.
///
/// One member never stops the others: a member whose stored data cannot be evaluated, or
/// whose message cannot be rendered, is suppressed as `invalid_data` with the reason; an
/// SMS that would exceed `sms.max_segments` is suppressed as `too_long`. Only the store
/// failing stops an evaluation.
public final class Scheduler {
    public let catalog: Catalog
    private let store: any MemberStore

    /// `store` runs the candidate queries and answers the send history (caps, duplicates);
    /// `run`'s outbox writer writes on the same connection, so the history sees every
    /// decision already taken.
    public init(catalog: Catalog, store: any MemberStore) {
        self.catalog = catalog
        self.store = store
    }

    /// Every decision, collected (`preview`). `memberID` restricts every trigger to one member
    /// (everything about a member's outcome depends only on that member, so the result is the
    /// same as in a full run).
    public func evaluate(at instant: Date, memberID: String? = nil, codes: inout SendCodes) throws -> Evaluation {
        var evaluation = Evaluation(instant: instant)
        evaluation.summaries = try evaluate(at: instant, memberID: memberID, codes: &codes, into: &evaluation)
        return evaluation
    }

    /// Streams every decision into `sink`; returns the per-trigger counts and timings. With a
    /// sink that records into the store, candidates whose occurrence is already recorded are
    /// left out by the query (they would be `duplicate`), so a tick with nothing new is cheap.
    public func evaluate(at instant: Date, memberID: String? = nil, codes: inout SendCodes,
                         into sink: inout some EvaluationSink) throws -> [Evaluation.TriggerSummary] {
        let config = catalog.config
        let history = try store.makeSendHistory()
        let rules = Rules(pipeline: PolicyPipeline(config: config), composer: SendComposer(catalog: catalog))
        let zones = TimeZoneResolver(defaultZone: config.timeZone)
        let anySuppressedAddress = try store.hasSuppressedAddresses()
        let readsRFM = catalog.triggers.contains { trigger in
            trigger.enabled && trigger.measures.contains { if case .rfm = $0 { true } else { false } }
        }
        let rfm = readsRFM ? try store.rfmScores(at: instant) : nil
        // What this evaluation decided, for the history to see; unneeded when the sink writes
        // each decision where the history reads.
        var ledger = EvaluationLedger()
        let keepsLedger = !sink.recordsIntoStore
        var summaries: [Evaluation.TriggerSummary] = []
        for trigger in catalog.triggers where trigger.enabled {
            let started = ContinuousClock.now
            var summary = Evaluation.TriggerSummary(triggerID: trigger.id, name: trigger.name)
            let channelKinds = trigger.channels.compactMap { config.channel(named: $0)?.kind }
            let request = CandidateRequest(trigger: trigger, at: instant, defaultTimeZone: config.timeZone,
                                           defaultLocale: config.locale, memberID: memberID,
                                           withPointsBalance: catalog.needsPointsBalance(trigger),
                                           withSuppressedAddresses: anySuppressedAddress,
                                           excludingRecordedOccurrences: sink.recordsIntoStore,
                                           channelKinds: channelKinds, rfm: rfm)
            try sink.triggerStarts()
            try store.forEachCandidate(request, zones: zones) { candidate in
                summary.candidates += 1
                let member = candidate.member
                let outcome = try decide(candidate, trigger: trigger, at: instant, rules: rules, history: history,
                                         ledger: ledger, codes: &codes)
                if keepsLedger && outcome.recordsOccurrence {
                    ledger.recordOccurrence(triggerID: trigger.id, memberKey: member.key,
                                            occurrenceKey: candidate.occurrenceKey)
                }
                switch outcome {
                case .planned(let send):
                    if keepsLedger {
                        ledger.recordPlanned(RecordedSend(triggerID: trigger.id, category: trigger.category,
                                                          scheduledAt: send.scheduledAt), memberKey: member.key)
                    }
                    summary.planned += 1
                    try sink.plan(send)
                case .suppressed(let reason, let detail, let scheduledAt):
                    summary.suppressed[reason, default: 0] += 1
                    try sink.suppress(Suppression(
                        triggerID: trigger.id, memberKey: member.key, memberID: member.id,
                        occurrenceKey: candidate.occurrenceKey, reason: reason, detail: detail,
                        timeZone: member.timeZone, scheduledAt: scheduledAt,
                        attributionUntil: scheduledAt.map { $0 + TimeInterval(trigger.attributionWindow.seconds) }))
                }
            }
            summary.seconds = (ContinuousClock.now - started).inSeconds
            summaries.append(summary)
        }
        return summaries
    }

    /// What one candidate comes to: a rendered send, or a suppression (held-out members are
    /// suppressed with reason `holdout` and the instant they would have been sent at).
    private enum CandidateOutcome {
        case planned(PlannedSend)
        case suppressed(SuppressionReason, detail: String, scheduledAt: Date?)

        /// Planned and held-out occurrences are decided for good (SPEC 2.1's `duplicate`).
        var recordsOccurrence: Bool {
            if case .suppressed(let reason, _, _) = self { return reason == .holdout }
            return true
        }
    }

    /// The policy and the renderer, made once per evaluation.
    private struct Rules {
        let pipeline: PolicyPipeline
        let composer: SendComposer
    }

    /// The policy's decision for one candidate, rendered. Only the store failing throws: a
    /// member whose data cannot be evaluated or rendered is `invalid_data`, an SMS beyond
    /// `sms.max_segments` is `too_long` (and an over-long fallback SMS is dropped).
    private func decide(_ candidate: TriggerCandidate, trigger: Trigger, at instant: Date, rules: Rules,
                        history: any SendHistory, ledger: EvaluationLedger,
                        codes: inout SendCodes) throws -> CandidateOutcome {
        if let problem = candidate.dataProblem { return .suppressed(.invalidData, detail: problem, scheduledAt: nil) }
        let maxSegments = catalog.config.sms.maxSegments
        do {
            let decision = try rules.pipeline.decide(candidate, trigger: trigger, at: instant, history: history,
                                                     ledger: ledger)
            switch decision {
            case .suppressed(let reason, let detail):
                return .suppressed(reason, detail: detail, scheduledAt: nil)
            case .heldOut(let scheduledAt):
                let share = Int((trigger.holdout * 100).rounded())
                return .suppressed(.holdout, detail: "in the control group (\(share) % held out)",
                                   scheduledAt: scheduledAt)
            case .planned(let channel, let address, let scheduledAt, let variant, let fallbacks):
                var send = try rules.composer.makeSend(
                    candidate, trigger: trigger, channel: channel, address: address, scheduledAt: scheduledAt,
                    variant: variant, fallbacks: fallbacks, codes: &codes)
                send.companions.removeAll { companion in maxSegments.map { (companion.segments ?? 0) > $0 } ?? false }
                if let limit = maxSegments, let segments = send.segments, segments > limit {
                    // deliver: "all": the other channels still go out, the first of them as the primary.
                    guard !send.companions.isEmpty else {
                        return .suppressed(.tooLong, detail: "the SMS would take \(segments) segments, "
                                               + "more than sms.max_segments \(limit)", scheduledAt: nil)
                    }
                    send.promoteFirstCompanion()
                }
                send.fallbacks.removeAll { fallback in maxSegments.map { (fallback.segments ?? 0) > $0 } ?? false }
                return .planned(send)
            }
        } catch let error as any StoreFailure {
            throw error
        } catch {
            return .suppressed(.invalidData, detail: "cannot be evaluated: \(error)", scheduledAt: nil)
        }
    }
}
