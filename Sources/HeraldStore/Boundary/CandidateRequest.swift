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
    /// out (they would be `duplicate`): run's ticks, so a tick with nothing new reads nothing.
    public var excludingRecordedOccurrences: Bool

    public init(trigger: Trigger, at instant: Date, defaultTimeZone: TimeZone, defaultLocale: String,
                memberID: String? = nil, withPointsBalance: Bool, withSuppressedAddresses: Bool = true,
                excludingRecordedOccurrences: Bool = false) {
        self.trigger = trigger
        self.instant = instant
        self.defaultTimeZone = defaultTimeZone
        self.defaultLocale = defaultLocale
        self.memberID = memberID
        self.withPointsBalance = withPointsBalance
        self.withSuppressedAddresses = withSuppressedAddresses
        self.excludingRecordedOccurrences = excludingRecordedOccurrences
    }
}
