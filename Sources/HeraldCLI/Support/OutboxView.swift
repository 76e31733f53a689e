import Foundation
import HeraldCore
import HeraldStore

/// How `herald outbox` and `herald run --sandbox` show outbox rows: a table, or JSON lines'
/// worth of objects. Times on the member's clock, addresses masked.
struct OutboxView {
    let defaultZone: TimeZone

    func zone(of entry: OutboxEntry) -> TimeZone {
        entry.timeZoneIdentifier.flatMap(TimeZone.iana) ?? defaultZone
    }

    func table(_ entries: [OutboxEntry]) -> [String] {
        let header = ["ID", "TRIGGER", "MEMBER", "CHANNEL", "TO", "SCHEDULED", "STATUS", "TRIES", "LAST ERROR"]
        let rows = entries.map { entry in
            [String(entry.key), entry.triggerID, entry.memberID, entry.channel, entry.maskedAddress,
             InstantFormatter.string(from: entry.scheduledAt, in: zone(of: entry)), entry.status, String(entry.attempts),
             entry.lastError.map { String($0.prefix(60)) } ?? ""]
        }
        return TextTable.aligned([header] + rows, rightAligned: [0, 7])
    }

    func json(_ entry: OutboxEntry, attempts: [OutboxEntry.Attempt]? = nil) -> JSONOutput {
        let zone = zone(of: entry)
        var members: [(String, JSONOutput)] = [
            ("id", .integer(entry.key)), ("trigger", .string(entry.triggerID)), ("member", .string(entry.memberID)),
            ("channel", .string(entry.channel)), ("to", .string(entry.maskedAddress)), ("template", .string(entry.template)),
            ("variant", .optional(entry.variant)), ("title", .optional(entry.title)), ("text", .string(entry.text)),
            ("idempotency_key", .string(entry.idempotencyKey)),
            ("scheduled_at", .string(InstantFormatter.string(from: entry.scheduledAt, in: zone))),
            ("expires_at", .optional(entry.expiresAt.map { InstantFormatter.string(from: $0, in: zone) })),
            ("status", .string(entry.status)), ("attempts", .integer(Int64(entry.attempts))),
            ("next_attempt_at", .string(InstantFormatter.string(from: entry.nextAttemptAt, in: zone))),
            ("last_error", .optional(entry.lastError)), ("provider_id", .optional(entry.providerID)),
            ("provider", .optional(entry.provider)),
            ("cost_yuan", entry.costMillifen.map { .number(Double($0) / 100_000) } ?? .null),
            ("provider_content", entry.providerContent.flatMap { try? JSONParser.parse($0, dialect: .json) }
                .map(JSONOutput.init) ?? .null),
        ]
        if let attempts {
            members.append(("attempt_log", .array(attempts.map { attempt in
                .object([
                    ("attempt", .integer(Int64(attempt.number))),
                    ("started_at", .string(InstantFormatter.string(from: attempt.startedAt, in: zone))),
                    ("outcome", .string(attempt.outcome)),
                    ("http_status", attempt.httpStatus.map { .integer(Int64($0)) } ?? .null),
                    ("latency_ms", attempt.latencyMilliseconds.map { .integer(Int64($0)) } ?? .null),
                    ("error", .optional(attempt.error)), ("provider", .optional(attempt.provider)),
                ])
            })))
        }
        return .object(members)
    }
}
