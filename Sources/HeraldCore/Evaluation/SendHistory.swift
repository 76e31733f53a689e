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

/// What the policy needs to know about earlier evaluations: the store answers in
/// production, `InMemorySendHistory` in tests.
public protocol SendHistory {
    /// True when this occurrence was already planned, sent or held out (rule 1, `duplicate`).
    func isRecorded(triggerID: String, memberKey: Int64, occurrenceKey: String) throws -> Bool
    /// Sends to the member scheduled strictly inside `(from, until)` that still count:
    /// not `cancelled`, `expired` or `failed`.
    func sends(memberKey: Int64, from: Date, until: Date) throws -> [RecordedSend]
}

/// The in-memory twin of the store's history, for tests.
public struct InMemorySendHistory: SendHistory {
    public var occurrences: Set<String> = []
    public var sendsByMember: [Int64: [RecordedSend]] = [:]

    public init() {}

    public mutating func recordOccurrence(triggerID: String, memberKey: Int64, occurrenceKey: String) {
        occurrences.insert("\(triggerID)\u{1F}\(memberKey)\u{1F}\(occurrenceKey)")
    }

    public mutating func recordSend(_ send: RecordedSend, memberKey: Int64) {
        sendsByMember[memberKey, default: []].append(send)
    }

    public func isRecorded(triggerID: String, memberKey: Int64, occurrenceKey: String) -> Bool {
        occurrences.contains("\(triggerID)\u{1F}\(memberKey)\u{1F}\(occurrenceKey)")
    }

    public func sends(memberKey: Int64, from: Date, until: Date) -> [RecordedSend] {
        (sendsByMember[memberKey] ?? []).filter { $0.scheduledAt > from && $0.scheduledAt < until }
    }
}
