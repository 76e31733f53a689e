import Foundation
import HeraldCore

/// What a trigger's candidates are asked for: the trigger at an instant, with the config's
/// defaults, and what the caller wants left in or out.
public struct CandidateRequest: Sendable {
    public var trigger: Trigger
    public var instant: Date
    public var defaultTimeZone: TimeZone
    public var defaultLocale: String
    /// One member only (`preview --member`); every other part of the query is kept.
    public var memberID: String?
    /// Adds the member's unexpired points (audience `points_balance`, `member.points_balance`).
    public var withPointsBalance: Bool
    /// Probes the address suppression list per candidate (skipped while the list is empty).
    public var withSuppressedAddresses: Bool
    /// Leaves out, in the query, candidates whose occurrence is already planned, sent or held
    /// out (they would be `duplicate`), and those already suppressed who still have no
    /// consented address on `channelKinds` (suppressed again, whatever else holds): run's
    /// ticks, so a tick with nothing new reads only what may have changed.
    public var excludingRecordedOccurrences: Bool
    /// The kinds of the trigger's channels, as the config resolves them (SPEC 2.1 rule 3).
    public var channelKinds: [ChannelKind]
    /// The cut points `rfm.*` audience fields are scored against (`MemberStore.rfmScores`);
    /// nil when the audience reads none.
    public var rfm: RFMScores?
    /// The behavioural measures the trigger's audience reads, each measured per candidate.
    public var measures: [BehaviourMeasure] { trigger.measures }

    public init(trigger: Trigger, at instant: Date, defaultTimeZone: TimeZone, defaultLocale: String,
                memberID: String? = nil, withPointsBalance: Bool, withSuppressedAddresses: Bool = true,
                excludingRecordedOccurrences: Bool = false, channelKinds: [ChannelKind] = [], rfm: RFMScores? = nil) {
        self.trigger = trigger
        self.instant = instant
        self.defaultTimeZone = defaultTimeZone
        self.defaultLocale = defaultLocale
        self.memberID = memberID
        self.withPointsBalance = withPointsBalance
        self.withSuppressedAddresses = withSuppressedAddresses
        self.excludingRecordedOccurrences = excludingRecordedOccurrences
        self.channelKinds = channelKinds
        self.rfm = rfm
    }
}
