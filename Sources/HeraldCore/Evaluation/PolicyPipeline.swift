import Foundation

/// SPEC 2.1: for a member whose condition holds, the first rule that applies decides —
/// duplicate → audience → channel / consent → cap → holdout → planned. Pure apart from
/// the `SendHistory` it asks, so preview and run decide the same way.
public struct PolicyPipeline: Sendable {
    public let config: HeraldConfig

    public init(config: HeraldConfig) {
        self.config = config
    }

    public func decide(_ candidate: TriggerCandidate, trigger: Trigger, at instant: Date, history: any SendHistory,
                       ledger: EvaluationLedger) throws -> PolicyDecision {
        let member = candidate.member
        // 1. duplicate
        let decidedInThisRun = ledger.isRecorded(triggerID: trigger.id, memberKey: member.key,
                                                 occurrenceKey: candidate.occurrenceKey)
        if try decidedInThisRun
            || history.isRecorded(triggerID: trigger.id, memberKey: member.key, occurrenceKey: candidate.occurrenceKey) {
            return .suppressed(.duplicate, detail: "\(candidate.occurrenceKey) was already planned, sent or held out")
        }
        // 2. audience
        if let audience = trigger.audience, !audience.matches({ member.audienceValue($0, at: instant) }) {
            return .suppressed(.audience, detail: "not in the trigger's audience")
        }
        // 3. channel and consent
        var sawAddress = false
        var sawSuppressed = false
        var routes: [ChannelRoute] = []
        for name in trigger.channels {
            guard let channel = config.channel(named: name), let address = member.address(for: channel.kind) else { continue }
            guard !member.suppressedKinds.contains(channel.kind) else {
                sawSuppressed = true
                continue
            }
            sawAddress = true
            if member.profile.consent(for: channel.kind).allows(trigger.category) {
                routes.append(ChannelRoute(channel: channel, address: address))
            }
        }
        guard let chosen = routes.first else {
            let listed = trigger.channels.joined(separator: ", ")
            if sawAddress {
                return .suppressed(.noConsent, detail: "no \(trigger.category == .marketing ? "explicit yes" : "consent") on \(listed)")
            }
            return sawSuppressed
                ? .suppressed(.addressSuppressed, detail: "the address for \(listed) is on the suppression list")
                : .suppressed(.noChannel, detail: "no address for \(listed)")
        }
        // 4. cap, around the scheduled instant S
        // Validation guarantees the window opens; T is only a fallback for a catalog built by hand.
        let scheduledAt = trigger.sendWindow(quietHours: config.quietHours).earliestInstant(atOrAfter: instant, in: member.timeZone)
            ?? instant
        if let reason = try capReason(trigger: trigger, memberKey: member.key, scheduledAt: scheduledAt, history: history,
                                      ledger: ledger) {
            return .suppressed(.cap, detail: reason)
        }
        // 5. holdout
        if trigger.holdout > 0, AudienceDraw.isHeldOut(triggerID: trigger.id, memberID: member.id, share: trigger.holdout) {
            return .heldOut(scheduledAt: scheduledAt)
        }
        // 6. planned
        let variant = AudienceDraw.variantIndex(triggerID: trigger.id, memberID: member.id, weights: trigger.variants.map(\.weight))
            .map { trigger.variants[$0] }
        return .planned(channel: chosen.channel, address: chosen.address, scheduledAt: scheduledAt, variant: variant,
                        fallbacks: Array(routes.dropFirst()))
    }

    /// The cooldown, then each global cap (marketing only); nil when none is reached.
    private func capReason(trigger: Trigger, memberKey: Int64, scheduledAt: Date, history: any SendHistory,
                           ledger: EvaluationLedger) throws -> String? {
        let caps = trigger.category == .marketing ? config.caps : []
        let reach = ([trigger.cooldown].compactMap { $0 } + caps.map(\.per)).map(\.seconds).max() ?? 0
        guard reach > 0 else { return nil }
        let span = TimeInterval(reach)
        let sends = try history.sends(memberKey: memberKey, from: scheduledAt - span, until: scheduledAt + span)
            + ledger.sends(memberKey: memberKey, from: scheduledAt - span, until: scheduledAt + span)
        func within(_ span: TimeSpan, _ send: RecordedSend) -> Bool {
            abs(send.scheduledAt.timeIntervalSince(scheduledAt)) < TimeInterval(span.seconds)
        }
        if let cooldown = trigger.cooldown, sends.contains(where: { $0.triggerID == trigger.id && within(cooldown, $0) }) {
            return "cooldown \(cooldown): this trigger already sends to the member within it"
        }
        for cap in caps {
            let count = sends.count { $0.category == .marketing && within(cap.per, $0) }
            if count >= cap.max {
                return "cap of \(cap.max) marketing send\(cap.max == 1 ? "" : "s") per \(cap.per) reached"
            }
        }
        return nil
    }
}
