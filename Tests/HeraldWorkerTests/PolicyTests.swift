import Foundation
import Testing
import HeraldCore
@_spi(StoreSQL) import HeraldStore
@_spi(StoreSQL) import HeraldTestSupport

private let header = "id,name,phone,push_token,email,tier,timezone,registered_at,last_active_at,consent_sms,consent_push,consent_email\n"

/// SPEC 2.1's rules in order, on real stores: every suppression reason, caps across
/// triggers by priority, holdout, variants and the scheduled instant.
@Suite struct PolicyTests {
    /// Two inactivity triggers (30 days) that every member below qualifies for.
    private func fixture(_ first: String = "", _ second: String = "", config: String = "") throws -> EvaluationFixture {
        try EvaluationFixture(config: EvaluationFixture.config(config), triggers: [
            "high": EvaluationFixture.trigger("high", kind: "inactivity", "params: { days: 30 }, priority: 20, \(first)"),
            "low": EvaluationFixture.trigger("low", kind: "inactivity", "params: { days: 30 }, priority: 10, \(second)"),
        ])
    }

    private let silentSince = "2025-12-01 10:00:00"

    @Test(arguments: StoreBackend.allCases) func everySuppressionReasonInRuleOrder(_ backend: StoreBackend) throws {
        let fixture = try fixture("""
            audience: { any: [ { field: 'tier', in: ['金卡'] }, { field: 'registered_days', gte: 1000 } ] },
            channels: ['push', 'sms']
            """)
        let store = try fixture.on(backend).store(members: header + """
            OK,,13800000001,,,金卡,,2024-01-01,\(silentSince),yes,,
            PLAIN,,13800000002,,,普通,,2024-01-01,\(silentSince),yes,,
            NOWHERE,,,,,金卡,,2024-01-01,\(silentSince),,,
            UNKNOWN,,13800000004,,,金卡,,2024-01-01,\(silentSince),,,
            SAIDNO,,13800000005,tok-5,,金卡,,2024-01-01,\(silentSince),no,no,
            """)
        let evaluation = try fixture.evaluate(store, at: "2026-03-10 12:00:00")
        #expect(evaluation.suppressedTriples.filter { $0.hasPrefix("high") } == [
            "high NOWHERE no_channel", "high PLAIN audience", "high SAIDNO no_consent", "high UNKNOWN no_consent",
        ])
        // `low` has no audience and no caps apply here (they are tested below).
        #expect(evaluation.plannedPairs == ["high OK", "low OK", "low PLAIN"])
    }

    @Test(arguments: StoreBackend.allCases) func serviceSendsNeedOnlyTheAbsenceOfNo(_ backend: StoreBackend) throws {
        let fixture = try fixture("category: 'service'")
        let store = try fixture.on(backend).store(members: header + """
            UNKNOWN,,13800000001,,,,,2024-01-01,\(silentSince),,,
            SAIDNO,,13800000002,,,,,2024-01-01,\(silentSince),no,,
            """)
        let evaluation = try fixture.evaluate(store, at: "2026-03-10 12:00:00")
        #expect(evaluation.plannedPairs.filter { $0.hasPrefix("high") } == ["high UNKNOWN"])
        #expect(evaluation.suppressedTriples.filter { $0.hasPrefix("high") } == ["high SAIDNO no_consent"])
    }

    @Test(arguments: StoreBackend.allCases) func theFirstReachableConsentedChannelWins(_ backend: StoreBackend) throws {
        let fixture = try fixture("channels: ['push', 'email', 'sms']")
        let store = try fixture.on(backend).store(members: header + """
            PUSH,,13800000001,tok-1,a@example.cn,,,2024-01-01,\(silentSince),yes,yes,yes
            FALLBACK,,13800000002,tok-2,b@example.cn,,,2024-01-01,\(silentSince),yes,no,
            """)
        let evaluation = try fixture.evaluate(store, at: "2026-03-10 12:00:00")
        let high = evaluation.planned.filter { $0.triggerID == "high" }
        #expect(high.map(\.channel) == ["sms", "push"])
        #expect(high.map(\.maskedAddress) == ["+86138****0002", "tok-****"])
    }

    @Test(arguments: StoreBackend.allCases) func globalCapsCountEarlierTriggersOfTheSameEvaluationByPriority(_ backend: StoreBackend) throws {
        let fixture = try fixture(config: "caps: [ { max: 1, per: '1d' } ]")
        let store = try fixture.on(backend).store(members: header + "U1,,13800000001,,,,,2024-01-01,\(silentSince),yes,,\n")
        let evaluation = try fixture.evaluate(store, at: "2026-03-10 12:00:00")
        #expect(evaluation.plannedPairs == ["high U1"])
        #expect(evaluation.suppressedTriples == ["low U1 cap"])
    }

    @Test(arguments: StoreBackend.allCases) func capsAndCooldownsCountStoredSendsAroundTheScheduledInstant(_ backend: StoreBackend) throws {
        let fixture = try fixture("cooldown: '7d'", "category: 'service'", config: "caps: [ { max: 1, per: '1d' } ]")
        let store = try fixture.on(backend).store(members: header + """
            RECENT,,13800000001,,,,,2024-01-01,\(silentSince),yes,,
            FAILED,,13800000002,,,,,2024-01-01,\(silentSince),yes,,
            """)
        // RECENT got `high` 6 days ago (inside the 7-day cooldown); FAILED's send failed (does not count).
        try insertSend(store, member: "RECENT", trigger: "high", at: fixture.at("2026-03-04 12:00:00"), status: "sent")
        try insertSend(store, member: "FAILED", trigger: "high", at: fixture.at("2026-03-10 11:00:00"), status: "failed")
        let evaluation = try fixture.evaluate(store, at: "2026-03-10 12:00:00")
        #expect(evaluation.suppressedTriples == ["high RECENT cap"])
        // `low` is a service trigger: no global caps for it.
        #expect(evaluation.plannedPairs == ["high FAILED", "low FAILED", "low RECENT"])
        // Eight days later the cooldown is over.
        #expect(try fixture.evaluate(store, at: "2026-03-12 12:00:00").plannedPairs.contains("high RECENT"))
    }

    @Test(arguments: StoreBackend.allCases) func anOccurrenceAlreadyRecordedIsADuplicate(_ backend: StoreBackend) throws {
        let fixture = try fixture()
        let store = try fixture.on(backend).store(members: header + "U1,,13800000001,,,,,2024-01-01,\(silentSince),yes,,\n")
        try store.database.execute("""
            INSERT INTO occurrences (trigger_id, member_key, occurrence_key, outcome, evaluated_at)
            SELECT 'high', key, 'inactivity:2025-12-01T02:00:00Z', 'held_out', 0 FROM members WHERE id = 'U1'
            """)
        let evaluation = try fixture.evaluate(store, at: "2026-03-10 12:00:00")
        #expect(evaluation.suppressedTriples == ["high U1 duplicate"])
        #expect(evaluation.plannedPairs == ["low U1"])
    }

    @Test(arguments: StoreBackend.allCases) func holdoutAndVariantDrawsFollowTheSpecHash(_ backend: StoreBackend) throws {
        // fmix64(FNV-1a-64) draws, computed independently in Python: holdout "high:U41190" →
        // 0.53754, "high:U81333" → 0.02001, "high:U87678" → 0.97472; variant
        // "high:U41190:variant" → 0.29597 (< 0.3: a), "high:U87678:variant" → 0.39339 (b).
        #expect(abs(AudienceDraw.holdoutDraw(triggerID: "high", memberID: "U81333") - 0.020_010) < 1e-5)
        let fixture = try fixture("holdout: 0.1, variants: [ { id: 'a', template: 't', weight: 30 }, { id: 'b', template: 't', weight: 70 } ]")
        let store = try fixture.on(backend).store(members: header + """
            U41190,,13800000001,,,,,2024-01-01,\(silentSince),yes,,
            U81333,,13800000002,,,,,2024-01-01,\(silentSince),yes,,
            U87678,,13800000003,,,,,2024-01-01,\(silentSince),yes,,
            """)
        let evaluation = try fixture.evaluate(store, at: "2026-03-10 12:00:00")
        #expect(evaluation.suppressedTriples == ["high U81333 holdout"])
        #expect(evaluation.planned.filter { $0.triggerID == "high" }.map { "\($0.memberID)=\($0.variant ?? "-")" }
            == ["U41190=a", "U87678=b"])
        // A held-out occurrence counts as decided: the lower trigger still runs for that member.
        #expect(evaluation.plannedPairs.contains("low U81333"))
    }

    /// Plain FNV-1a-64 barely carries an id's last characters into its top bits, so M001…M099
    /// once shared one draw and a holdout took all or none of them. With the fmix64 finalizer
    /// (SPEC 2.1) their draws spread over [0, 1): 9 of 99 fall under 0.1 (computed in Python).
    @Test func sequentialIDsDrawUnrelatedHoldoutValues() {
        let draws = (1...99).map { AudienceDraw.holdoutDraw(triggerID: "birthday", memberID: "M" + String($0).leftPadded(to: 3)) }
        #expect(draws.max()! - draws.min()! > 0.9)
        #expect(draws.count { $0 < 0.1 } == 9)
    }

    @Test(arguments: StoreBackend.allCases) func theScheduledInstantRespectsWindowQuietHoursAndTheMembersZone(_ backend: StoreBackend) throws {
        let fixture = try fixture("window: { hours: ['10:00-12:00', '20:00-23:00'] }", "category: 'service', window: { hours: ['20:00-23:00'] }")
        let store = try fixture.on(backend).store(members: header + """
            SH,,13800000001,,,,,2024-01-01,\(silentSince),yes,,
            LA,,13800000002,,,,America/Los_Angeles,2024-01-01,\(silentSince),yes,,
            """)
        // 2026-03-10 12:30 in Shanghai; 2026-03-09 21:30 in Los Angeles (PDT since 8 March).
        let evaluation = try fixture.evaluate(store, at: "2026-03-10 12:30:00")
        let times = evaluation.planned.map { "\($0.triggerID) \($0.memberID) " + InstantFormatter.string(from: $0.scheduledAt, in: $0.timeZone) }
        #expect(times == [
            // Marketing: 20:00-23:00 is cut to 20:00-21:00 by quiet hours; Los Angeles is inside quiet hours → next day 10:00.
            "high LA 2026-03-10T10:00:00-07:00", "high SH 2026-03-10T20:00:00+08:00",
            // Service ignores quiet hours: Los Angeles is inside 20:00-23:00 now.
            "low LA 2026-03-09T21:30:00-07:00", "low SH 2026-03-10T20:00:00+08:00",
        ])
    }

    @Test(arguments: StoreBackend.allCases) func evaluatingWritesNothing(_ backend: StoreBackend) throws {
        let fixture = try fixture("holdout: 0.5")
        let store = try fixture.on(backend).store(members: header + "U1,,13800000001,,,,,2024-01-01,\(silentSince),yes,,\n")
        let before = try StoreDump.of(store)
        _ = try fixture.evaluate(store, at: "2026-03-10 12:00:00")
        #expect(try StoreDump.of(store) == before)
    }

    private func insertSend(_ store: SQLStore, member: String, trigger: String, at instant: Date, status: String) throws {
        let insert = try store.database.prepare("""
            INSERT INTO outbox (trigger_id, member_key, occurrence_key, idempotency_key, category, channel, address, template,
                                body, scheduled_at, next_attempt_at, status, created_at, updated_at)
            SELECT ?, key, 'k-' || ?, 'idem-' || ? || ?, 'marketing', 'sms', phone, 't', 'x', ?, ?, ?, 0, 0 FROM members WHERE id = ?
            """)
        try insert.run(.text(trigger), .text(member), .text(trigger), .text(member), .integer(instant.epochSeconds),
                       .integer(instant.epochSeconds), .text(status), .text(member))
    }
}
