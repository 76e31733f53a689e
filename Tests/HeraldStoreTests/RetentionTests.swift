import Foundation
import Testing
import HeraldCore
@_spi(StoreSQL) @testable import HeraldStore
@_spi(StoreSQL) import HeraldTestSupport

/// Retention (issue 17): rows past their horizon leave the store in batches, what is still in
/// use stays (a points lot with points left, a message not finished, the planning ledger), and
/// an ingest refuses events older than the horizon, which it could otherwise count twice.
@Suite(.timeLimit(.minutes(2))) struct RetentionTests {
    private let now = InstantParser(defaultTimeZone: TimeZone(identifier: "Asia/Shanghai")!).parse("2026-12-01T10:00:00+08:00")!
    private let policy = RetentionPolicy(events: TimeSpan(days: 400), attempts: TimeSpan(days: 90), outbox: TimeSpan(days: 400))

    @Test(arguments: StoreBackend.allCases) func oldRowsGoInBatchesAndWhatIsInUseStays(_ backend: StoreBackend) throws {
        let fixture = try EvaluationFixture(triggers: [:]).on(backend)
        let store = try fixture.store(members: "id,phone,consent_sms\nR1,13800138001,yes", events: """
            {"id":"old-buy","member_id":"R1","type":"purchase","at":"2025-01-02","amount":10}
            {"id":"old-spent","member_id":"R1","type":"points_earn","at":"2025-01-03","points":100,"expires_at":"2025-06-30"}
            {"id":"old-valid","member_id":"R1","type":"points_earn","at":"2025-01-04","points":100,"expires_at":"2027-12-31"}
            {"id":"new-buy","member_id":"R1","type":"purchase","at":"2026-11-01","amount":20}
            """)
        let memberKey = try #require(try store.database.scalarInteger("SELECT key FROM members WHERE id = 'R1'"))
        // Messages: two finished long ago (one of them a minute inside the horizon), one old but
        // never finished (pending), one recent; attempts old and new.
        // (a message goes on the day after its horizon: deletes go by report day, which may be a zone ahead)
        let old = now.epochSeconds - 402 * 86_400, inside = now.epochSeconds - 399 * 86_400
        for (index, row) in [(old, "sent"), (old, "pending"), (inside, "failed"), (now.epochSeconds - 86_400, "delivered")].enumerated() {
            try store.database.prepare("""
                INSERT INTO outbox (key, trigger_id, member_key, occurrence_key, idempotency_key, category, channel, address,
                    template, body, scheduled_at, next_attempt_at, created_at, updated_at, status, local_day)
                VALUES (?, 't', ?, ?, ?, 'service', 'sms', '+8613800138001', 't', 'b', ?, ?, ?, ?, ?, ?)
                """).run([.integer(Int64(index + 1)), .integer(memberKey), .text("o\(index)"), .text("k\(index)"),
                          .integer(row.0), .integer(row.0), .integer(row.0), .integer(row.0), .text(row.1),
                          .text(CivilDate(daysSinceEpoch: Int(row.0 / 86_400)).description)])
            try store.database.prepare("""
                INSERT INTO delivery_attempts (outbox_key, attempt, started_at, outcome) VALUES (?, 1, ?, 'sent')
                """).run([.integer(Int64(index + 1)), .integer(row.0)])
        }
        try store.database.execute("""
            INSERT INTO occurrences (trigger_id, member_key, occurrence_key, outcome, evaluated_at)
                SELECT 't', member_key, occurrence_key, 'planned', scheduled_at FROM outbox;
            INSERT INTO address_suppressions (address, kind, reason, outbox_key, created_at) VALUES ('+8613800138009', 'sms', 'x', 1, 1)
            """)

        // Two rows a batch and at most two batches: the sweep stops and says more is due.
        let first = try store.applyRetention(policy, now: now, batchSize: 2, maxBatches: 2)
        #expect(first.hasMore && first.total > 0, "\(first)")
        var report = first
        var sweeps = 1
        while report.hasMore, sweeps < 20 {
            report = try store.applyRetention(policy, now: now, batchSize: 2, maxBatches: 2)
            sweeps += 1
        }
        #expect(!report.hasMore, "20 sweeps of 2 batches did not finish")
        let again = try store.applyRetention(policy, now: now, batchSize: 1_000, maxBatches: 100)
        #expect(again.total == 0 && !again.hasMore, "a second sweep found more: \(again)")

        func column(_ sql: String) throws -> [String] {
            var values: [String] = []
            try store.database.forEachPage(of: sql, [], pageSize: 100, readRow: { values.append($0.text(at: 0) ?? "") },
                                           pageDone: {})
            return values
        }
        #expect(try column("SELECT id FROM events ORDER BY at") == ["old-valid", "new-buy"],
                "the lot with points left keeps its event; the rest before the horizon go")
        #expect(try column("SELECT CAST(points AS TEXT) FROM points_lots") == ["100"])
        #expect(try column("SELECT status FROM outbox ORDER BY key") == ["pending", "failed", "delivered"])
        #expect(try column("SELECT CAST(outbox_key AS TEXT) FROM delivery_attempts ORDER BY outbox_key") == ["4"],
                "attempts older than 90 days, and those of deleted messages, stay")
        #expect(try store.database.scalarInteger("SELECT count(*) FROM occurrences") == 4, "the planning ledger lost rows")
        #expect(try store.database.scalarInteger("SELECT count(*) FROM address_suppressions WHERE outbox_key IS NULL") == 1,
                "a suppression entry must outlive the message that found it")
        // The member's state, derived from every event, stays as it was.
        #expect(try store.database.scalarInteger("SELECT total_spent FROM member_state WHERE member_key = ?", .integer(memberKey)) == 3_000)

        // Re-ingesting the old file: the event before the horizon is refused, saying why; others land.
        let ingester = try store.makeEventIngester(defaultTimeZone: fixture.zone, clock: ManualWallClock(now))
        ingester.oldestAccepted = now.addingTimeInterval(-Double(policy.events!.seconds))
        let sink = CollectingSink()
        let summary = try ingester.ingest(lines: [
            #"{"id":"old-buy","member_id":"R1","type":"purchase","at":"2025-01-02","amount":10}"#,
            #"{"id":"newer","member_id":"R1","type":"purchase","at":"2026-11-20","amount":5}"#,
        ], sink: sink)
        #expect(summary.rejected == 1 && summary.inserted == 1, "\(summary)")
        #expect(sink.reasons.values.contains { $0.contains("older than the store keeps events (retention.events") }, "\(sink.reasons)")
    }

    @Test func retentionSettingsAreBounded() throws {
        let folder = try TemporaryDirectory()
        func problems(_ retention: String) throws -> [String] {
            let path = try folder.write("herald.json5", "{ store: { sqlite: 'h.db' }, caps: [ { max: 1, per: '60d' } ], retention: \(retention) }")
            do {
                _ = try ConfigLoader.load(path: path)
                return []
            } catch let failure as ConfigLoader.Failure {
                return failure.diagnostics.map(\.message)
            }
        }
        #expect(try problems("{ events: '400d', attempts: '90d', outbox: '400d' }").isEmpty)
        #expect(try problems("{ events: '7d' }").first?.contains("retention.events") == true)
        #expect(try problems("{ outbox: '45d' }").first?.contains("the longest cap's window") == true)
        #expect(try problems("{ logs: '1d' }").first?.contains("unknown key 'logs'") == true)
    }

    @Test func triggersMayNotReadEventsPastTheHorizon() throws {
        let config = EvaluationFixture.config(#"retention: { events: "60d" },"#)
        func problems(_ triggers: [String: String]) throws -> String {
            do {
                _ = try EvaluationFixture(config: config, triggers: triggers).catalog()
                return ""
            } catch {
                return "\(error)"
            }
        }
        #expect(try problems(["ok": EvaluationFixture.trigger("ok", kind: "event", "params: { event: 'purchase', within: '30d' }")])
                .isEmpty)
        #expect(try problems(["late": EvaluationFixture.trigger("late", kind: "event",
                                                                  "params: { event: 'purchase', delay: '20d', within: '50d' }")])
                .contains("reads events back 70d, longer than retention.events (60d)"))
        #expect(try problems(["quiet": EvaluationFixture.trigger("quiet", kind: "inactivity",
                                                                   "params: { days: 30, activity_events: ['app_open'] }")])
                .contains("params.max_days: expected with activity_events"))
    }
}
