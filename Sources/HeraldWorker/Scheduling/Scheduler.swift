import Foundation
import HeraldCore
import HeraldStore

/// Decides who gets what at an instant: for each enabled trigger in SPEC 2.1 order, the
/// store's candidates go through the policy pipeline, and planned sends are rendered.
///
/// The one code path behind `preview` (which prints the result) and `run` (which writes
/// it to the outbox): the two cannot drift apart. Evaluating writes nothing.
///
/// One member never stops the others: a member whose stored data cannot be evaluated, or
/// whose message cannot be rendered, is suppressed as `invalid_data` with the reason; an
/// SMS that would exceed `sms.max_segments` is suppressed as `too_long`. Only the store
/// failing stops an evaluation.
public final class Scheduler {
    public let catalog: Catalog
    private let store: MemberStore

    public init(catalog: Catalog, store: MemberStore) {
        self.catalog = catalog
        self.store = store
    }

    /// `memberID` restricts every trigger to one member (everything about a member's
    /// outcome depends only on that member, so the result is the same as in a full run).
    public func evaluate(at instant: Date, memberID: String? = nil, codes: inout SendCodes) throws -> Evaluation {
        let config = catalog.config
        let history = try StoreSendHistory(store: store)
        let pipeline = PolicyPipeline(config: config)
        let composer = SendComposer(catalog: catalog)
        let zones = TimeZoneResolver(defaultZone: config.timeZone)
        var ledger = EvaluationLedger()
        var evaluation = Evaluation(instant: instant)
        for trigger in catalog.triggers where trigger.enabled {
            let started = ContinuousClock.now
            var summary = Evaluation.TriggerSummary(triggerID: trigger.id, name: trigger.name)
            let query = CandidateQuery(trigger: trigger, at: instant, defaultTimeZone: config.timeZone,
                                       defaultLocale: config.locale, memberID: memberID,
                                       withPointsBalance: catalog.needsPointsBalance(trigger))
            try query.forEachCandidate(in: store, zones: zones) { candidate in
                summary.candidates += 1
                let member = candidate.member
                func suppress(_ reason: SuppressionReason, _ detail: String, scheduledAt: Date? = nil) {
                    summary.suppressed[reason, default: 0] += 1
                    evaluation.suppressed.append(Suppression(
                        triggerID: trigger.id, memberKey: member.key, memberID: member.id, occurrenceKey: candidate.occurrenceKey,
                        reason: reason, detail: detail, timeZone: member.timeZone, scheduledAt: scheduledAt,
                        attributionUntil: scheduledAt.map { $0 + TimeInterval(trigger.attributionWindow.seconds) }))
                }
                if let problem = candidate.dataProblem {
                    suppress(.invalidData, problem)
                    return
                }
                do {
                    let decision = try pipeline.decide(candidate, trigger: trigger, at: instant, history: history,
                                                       ledger: ledger)
                    switch decision {
                    case .suppressed(let reason, let detail):
                        suppress(reason, detail)
                    case .heldOut(let scheduledAt):
                        ledger.recordOccurrence(triggerID: trigger.id, memberKey: member.key,
                                                occurrenceKey: candidate.occurrenceKey)
                        let share = Int((trigger.holdout * 100).rounded())
                        suppress(.holdout, "in the control group (\(share) % held out)", scheduledAt: scheduledAt)
                    case .planned(let channel, let address, let scheduledAt, let variant, let fallbacks):
                        var send = try composer.makeSend(candidate, trigger: trigger, channel: channel,
                                                         address: address, scheduledAt: scheduledAt, variant: variant,
                                                         fallbacks: fallbacks, codes: &codes)
                        if let limit = config.sms.maxSegments, let segments = send.segments, segments > limit {
                            suppress(.tooLong,
                                     "the SMS would take \(segments) segments, more than sms.max_segments \(limit)")
                            return
                        }
                        send.fallbacks.removeAll { fallback in
                            config.sms.maxSegments.map { limit in (fallback.segments ?? 0) > limit } ?? false
                        }
                        ledger.recordOccurrence(triggerID: trigger.id, memberKey: member.key,
                                                occurrenceKey: candidate.occurrenceKey)
                        ledger.recordPlanned(RecordedSend(triggerID: trigger.id, category: trigger.category,
                                                          scheduledAt: scheduledAt), memberKey: member.key)
                        summary.planned += 1
                        evaluation.planned.append(send)
                    }
                } catch let error as SQLiteError {
                    throw error
                } catch {
                    suppress(.invalidData, "cannot be evaluated: \(error)")
                }
            }
            summary.seconds = (ContinuousClock.now - started).inSeconds
            evaluation.summaries.append(summary)
        }
        return evaluation
    }
}
