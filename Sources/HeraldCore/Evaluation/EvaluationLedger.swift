import Foundation

/// What one evaluation has decided so far, so that later triggers see earlier ones:
/// planned sends count towards caps (SPEC 2.1 rule 4), and an occurrence decided once
/// is a duplicate the second time. The in-memory twin of the store's `SendHistory`.
public struct EvaluationLedger: SendHistory, Sendable {
    private var sendsByMember: [Int64: [RecordedSend]] = [:]
    private var occurrences: Set<String> = []

    public init() {}

    public mutating func recordPlanned(_ send: RecordedSend, memberKey: Int64) {
        sendsByMember[memberKey, default: []].append(send)
    }

    public mutating func recordOccurrence(triggerID: String, memberKey: Int64, occurrenceKey: String) {
        occurrences.insert(Self.key(triggerID, memberKey, occurrenceKey))
    }

    public func isRecorded(triggerID: String, memberKey: Int64, occurrenceKey: String) -> Bool {
        occurrences.contains(Self.key(triggerID, memberKey, occurrenceKey))
    }

    public func sends(memberKey: Int64, from: Date, until: Date) -> [RecordedSend] {
        (sendsByMember[memberKey] ?? []).filter { $0.scheduledAt > from && $0.scheduledAt < until }
    }

    private static func key(_ triggerID: String, _ memberKey: Int64, _ occurrenceKey: String) -> String {
        "\(triggerID)\u{1F}\(memberKey)\u{1F}\(occurrenceKey)"
    }
}
