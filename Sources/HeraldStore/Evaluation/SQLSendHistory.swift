import Foundation
import HeraldCore

/// The store's answer to the policy's questions (SPEC 2.1 rules 1 and 4): the
/// occurrences table for duplicates, the outbox around an instant for caps and cooldowns.
final class SQLSendHistory: SendHistory {
    private let occurrence: any SQLStatement
    private let sendsAround: any SQLStatement

    init(store: SQLStore) throws {
        occurrence = try store.database.prepare("""
            SELECT 1 FROM occurrences WHERE trigger_id = ? AND member_key = ? AND occurrence_key = ?
            """)
        sendsAround = try store.database.prepare("""
            SELECT trigger_id, category, scheduled_at FROM outbox o
            WHERE member_key = ? AND scheduled_at > ? AND scheduled_at < ? AND companion_of IS NULL
                AND (status NOT IN ('cancelled', 'expired', 'failed')
                     OR EXISTS (SELECT 1 FROM outbox c WHERE c.companion_of = o.key
                                AND c.status NOT IN ('cancelled', 'expired', 'failed')))
            """)
    }

    func isRecorded(triggerID: String, memberKey: Int64, occurrenceKey: String) throws -> Bool {
        try occurrence.bind([.text(triggerID), .integer(memberKey), .text(occurrenceKey)])
        defer { occurrence.reset() }
        return try occurrence.step()
    }

    func sends(memberKey: Int64, from: Date, until: Date) throws -> [RecordedSend] {
        try sendsAround.bind([.integer(memberKey), .integer(from.epochSeconds), .integer(until.epochSeconds)])
        defer { sendsAround.reset() }
        var sends: [RecordedSend] = []
        while try sendsAround.step() {
            sends.append(RecordedSend(triggerID: sendsAround.text(at: 0) ?? "",
                                      category: Trigger.Category(rawValue: sendsAround.text(at: 1) ?? "") ?? .marketing,
                                      scheduledAt: sendsAround.instant(at: 2) ?? .distantPast))
        }
        return sends
    }
}
