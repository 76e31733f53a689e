import Foundation

/// A send that counts for caps and cooldowns (SPEC 2.1 rule 4).
public struct RecordedSend: Sendable, Equatable {
    public var triggerID: String
    public var category: Trigger.Category
    public var scheduledAt: Date

    public init(triggerID: String, category: Trigger.Category, scheduledAt: Date) {
        self.triggerID = triggerID
        self.category = category
        self.scheduledAt = scheduledAt
    }
}

/// What the policy needs to know about sends already decided: the store answers for
/// earlier evaluations, `EvaluationLedger` (its in-memory twin) for the current one.
public protocol SendHistory {
    /// True when this occurrence was already planned, sent or held out (rule 1, `duplicate`).
    func isRecorded(triggerID: String, memberKey: Int64, occurrenceKey: String) throws -> Bool
    /// Sends to the member scheduled strictly inside `(from, until)` that still count:
    /// not `cancelled`, `expired` or `failed`.
    func sends(memberKey: Int64, from: Date, until: Date) throws -> [RecordedSend]
}
