import Foundation
import Testing
import HeraldCore
@_spi(StoreSQL) import HeraldStore
@_spi(StoreSQL) import HeraldTestSupport

private let header = "id,name,phone,timezone,tier,registered_at,last_active_at,consent_sms\n"

/// SPEC 10: behavioural audience fields, named segments, broadcasts and tier changes, through
/// the real store and scheduler on both backends.
@Suite struct AudienceBehaviourTests {
    /// A broadcast due all day on 2026-03-10, so every member is a candidate and only the audience decides.
    private static func broadcast(_ id: String, audience: String) -> String {
        EvaluationFixture.trigger(id, kind: "broadcast", "params: { at: '2026-03-10 00:00', within: '24h' }, category: 'service', audience: \(audience)")
    }

    @Test(arguments: StoreBackend.allCases) func behaviouralFieldsCountTheMembersOwnEventsInTheirWindow(_ backend: StoreBackend) throws {
        let fixture = try EvaluationFixture(triggers: [
            "frequent": Self.broadcast("frequent", audience: "{ field: 'purchases_in', days: 30, gte: 2 }"),
            "lapsed": Self.broadcast("lapsed", audience: "{ field: 'days_since_purchase', gte: 99 }"),
            "recent": Self.broadcast("recent", audience: "{ field: 'days_since_purchase', lte: 9 }"),
            "baby": Self.broadcast("baby", audience: "{ field: 'events_in', type: 'browse', where: { field: 'category', eq: '母婴' }, days: 30, gte: 3 }"),
            "big": Self.broadcast("big", audience: "{ field: 'spent_in', days: 90, gte: 250 }"),
            "never": Self.broadcast("never", audience: "{ not: { field: 'days_since_purchase', gte: 0 } }"),
            "quiet": Self.broadcast("quiet", audience: "{ field: 'days_since_activity', gte: 30 }"),
        ])
        // T = 2026-03-10 12:00 Shanghai.
        let store = try fixture.on(backend).store(members: header + """
            U1,,13800000001,,,2024-01-01,2026-03-09,yes
            U2,,13800000002,,,2024-01-01,2025-12-01,yes
            U3,,13800000003,,,2024-01-01,2026-03-09,yes
            U4,,13800000004,,,2024-01-01,2026-01-01,yes
            """, events: """
            {"member_id":"U1","type":"purchase","at":"2026-03-01 23:59:00","amount":100}
            {"member_id":"U1","type":"purchase","at":"2026-02-20 10:00:00","amount":150}
            {"member_id":"U2","type":"purchase","at":"2025-12-01 10:00:00","amount":1000}
            {"member_id":"U3","type":"browse","at":"2026-03-01 10:00:00","category":"母婴"}
            {"member_id":"U3","type":"browse","at":"2026-03-02 10:00:00","category":"母婴"}
            {"member_id":"U3","type":"browse","at":"2026-03-03 10:00:00","category":"母婴"}
            {"member_id":"U1","type":"browse","at":"2026-03-03 10:00:00","category":"母婴"}
            {"member_id":"U1","type":"browse","at":"2026-03-04 10:00:00","category":"家居"}
            {"member_id":"U1","type":"browse","at":"2026-03-05 10:00:00","category":"家居"}
            {"member_id":"U4","type":"purchase","at":"2026-03-10 23:00:00","amount":500}
            """)
        let evaluation = try fixture.evaluate(store, at: "2026-03-10 12:00:00")
        let planned = Set(evaluation.plannedPairs)
        // Two purchases within 30 days: U1 only (U2's is 99 days old; U4's is after T).
        #expect(Set(planned.filter { $0.hasPrefix("frequent ") }) == ["frequent U1"])
        // Whole days on the member's clock: 2025-12-01 to 2026-03-10 is 99 days; 2026-03-01 23:59 is 9 days before.
        #expect(Set(planned.filter { $0.hasPrefix("lapsed ") }) == ["lapsed U2"])
        #expect(Set(planned.filter { $0.hasPrefix("recent ") }) == ["recent U1"])
        // Three 母婴 browses: U3; U1 browsed three times but only once in 母婴.
        #expect(Set(planned.filter { $0.hasPrefix("baby ") }) == ["baby U3"])
        // ¥250 within 90 days is U1 (gte is inclusive); U2's ¥1000 is outside the window.
        #expect(Set(planned.filter { $0.hasPrefix("big ") }) == ["big U1"])
        // Never bought (as of T): U3, and U4 whose only purchase is after T.
        #expect(Set(planned.filter { $0.hasPrefix("never ") }) == ["never U3", "never U4"])
        // Last activity at least 30 days ago: U2 (imported 2025-12-01) and U4 (2026-01-01; its later purchase counts: no).
        #expect(planned.filter { $0.hasPrefix("quiet ") }.contains("quiet U2"))
        #expect(!planned.contains("quiet U1") && !planned.contains("quiet U3"))
        let audienceSuppressed = evaluation.suppressed.filter { $0.reason == .audience }.count
        #expect(audienceSuppressed + evaluation.planned.count == 7 * 4)
    }

    @Test(arguments: StoreBackend.allCases) func rfmScoresAreQuintilesOverEveryBuyerOfTheYear(_ backend: StoreBackend) throws {
        let fixture = try EvaluationFixture(triggers: [
            "loyal": Self.broadcast("loyal", audience: "{ field: 'rfm.f', gte: 5 }"),
            "low": Self.broadcast("low", audience: "{ field: 'rfm.m', lte: 1 }"),
            "fresh": Self.broadcast("fresh", audience: "{ field: 'rfm.r', eq: 5 }"),
        ])
        // B1…B10 bought 1…10 times, ¥10 each, Bn last on day n of February; N never bought; OLD bought 400 days ago.
        var members = header
        var events = ""
        for n in 1...10 {
            members += "B\(n),,1380000\(String(format: "%04d", n)),,,2024-01-01,2026-03-01,yes\n"
            for k in 1...n {
                events += #"{"member_id":"B\#(n)","type":"purchase","at":"2026-02-\#(String(format: "%02d", n)) 0\#(k % 10):00:00","amount":10}"# + "\n"
            }
        }
        members += "N,,13800009998,,,2024-01-01,2026-03-01,yes\nOLD,,13800009999,,,2024-01-01,2026-03-01,yes\n"
        events += #"{"member_id":"OLD","type":"purchase","at":"2025-02-01 10:00:00","amount":99999}"# + "\n"
        let store = try fixture.on(backend).store(members: members, events: events)
        let scores = try store.rfmScores(at: fixture.at("2026-03-10 12:00:00"))
        #expect(scores.buyers == 10)
        // Cut points at ranks 2, 4, 6, 8 of the sorted counts 1…10.
        #expect(scores.cutPoints[.frequency] == [2, 4, 6, 8])
        let evaluation = try fixture.evaluate(store, at: "2026-03-10 12:00:00")
        let planned = Set(evaluation.plannedPairs)
        #expect(Set(planned.filter { $0.hasPrefix("loyal ") }) == ["loyal B9", "loyal B10"])
        // Monetary score 1: the two smallest spenders; N and OLD (nothing this year) have no score at all.
        #expect(Set(planned.filter { $0.hasPrefix("low ") }) == ["low B1", "low B2"])
        #expect(Set(planned.filter { $0.hasPrefix("fresh ") }) == ["fresh B9", "fresh B10"])
    }

    @Test(arguments: StoreBackend.allCases) func segmentsFromTheConfigAreUsedInAudiences(_ backend: StoreBackend) throws {
        let fixture = try EvaluationFixture(config: EvaluationFixture.config("""
            segments: {
              活跃买家: { field: "purchases_in", days: 30, gte: 1 },
              金卡活跃: { all: [ { segment: "活跃买家" }, { field: "tier", eq: "金卡" } ] },
            },
            """), triggers: [
            "gold": Self.broadcast("gold", audience: "{ segment: '金卡活跃' }"),
            "others": Self.broadcast("others", audience: "{ not: { segment: '金卡活跃' } }"),
        ])
        let store = try fixture.on(backend).store(members: header + """
            G1,,13800000001,,金卡,2024-01-01,2026-03-01,yes
            G2,,13800000002,,金卡,2024-01-01,2026-03-01,yes
            S1,,13800000003,,银卡,2024-01-01,2026-03-01,yes
            """, events: """
            {"member_id":"G1","type":"purchase","at":"2026-03-01 10:00:00","amount":10}
            {"member_id":"S1","type":"purchase","at":"2026-03-01 10:00:00","amount":10}
            """)
        let evaluation = try fixture.evaluate(store, at: "2026-03-10 12:00:00")
        #expect(evaluation.plannedPairs.sorted() == ["gold G1", "others G2", "others S1"])
    }

    @Test func segmentsAndBehaviouralFieldsAreCheckedWithTheirPositions() throws {
        let fixture = try EvaluationFixture(config: EvaluationFixture.config("""
            segments: { a: { segment: "b" }, b: { any: [ { segment: "a" } ] }, ok: { field: "tier", eq: "金卡" } },
            """), triggers: [
            "x": EvaluationFixture.trigger("x", kind: "broadcast", """
                params: { at: "2026-03-10 10:00" },
                  audience: { all: [ { segment: "okk" }, { field: "purchases_in", gte: 2 },
                                     { field: "tier", eq: "金卡", days: 3 }, { field: "days_sinse_purchase", gte: 1 } ] }
                """),
            "y": EvaluationFixture.trigger("y", kind: "broadcast", "params: { at: '2026-03-10 25:00' }, windw: {}"),
        ])
        let problems = fixture.problems()
        #expect(problems.contains { $0.hasPrefix("herald.json5:") && $0.contains("segments.a: refers back to itself (a → b → a)") })
        #expect(problems.contains { $0.contains("unknown segment 'okk' (did you mean 'ok'?)") })
        #expect(problems.contains { $0.contains("audience.all[].days: missing (expected a whole number") })
        #expect(problems.contains { $0.contains("audience.all[].days: only purchases_in, spent_in and events_in take 'days'") })
        #expect(problems.contains { $0.contains("found \"days_sinse_purchase\" (did you mean 'days_since_purchase'?)") })
        #expect(problems.contains { $0.hasPrefix("Triggers/y.json5:1:") && $0.contains("params.at: expected a local date and time") })
        #expect(problems.contains { $0.contains("unknown key 'windw' (did you mean 'window'?") })
    }

    /// Windows count stored events: one longer than `retention.events` keeps would count fewer
    /// than happened, so validation refuses it (RFM reads a year of purchases).
    @Test func windowsMustFitInTheEventsRetentionKeeps() throws {
        let fixture = try EvaluationFixture(config: EvaluationFixture.config(#"retention: { events: "60d" },"#), triggers: [
            "x": EvaluationFixture.trigger("x", kind: "broadcast", """
                params: { at: "2026-03-10 10:00" },
                audience: { all: [ { field: "purchases_in", days: 30, gte: 1 }, { field: "spent_in", days: 90, gte: 100 },
                                   { field: "rfm.m", gte: 4 }, { field: "days_since_purchase", lte: 200 } ] }
                """),
        ])
        let problems = fixture.problems().filter { $0.contains("retention.events") }
        #expect(problems.count == 2, "\(problems)")
        #expect(problems.contains { $0.contains("audience: spent_in reads events back 90d, longer than retention.events (60d)") })
        #expect(problems.contains { $0.contains("audience: rfm.m reads events back 365d") })
    }

    @Test(arguments: StoreBackend.allCases) func aBroadcastIsDueAtItsLocalTimeOnEachMembersClockOnce(_ backend: StoreBackend) throws {
        let fixture = try EvaluationFixture(triggers: [
            "sale": EvaluationFixture.trigger("sale", kind: "broadcast", "params: { at: '2026-12-12 10:00', within: '2h' }, category: 'service'"),
        ])
        let store = try fixture.on(backend).store(members: header + """
            SH,,13800000001,,,2024-01-01,2026-03-01,yes
            LA,,13800000002,America/Los_Angeles,,2024-01-01,2026-03-01,yes
            """)
        #expect(try fixture.evaluate(store, at: "2026-12-12 09:59:59").plannedPairs.isEmpty)
        let shanghai = try fixture.evaluate(store, at: "2026-12-12 10:00:00")
        #expect(shanghai.plannedPairs == ["sale SH"])
        #expect(shanghai.planned.first?.occurrenceKey == "broadcast:2026-12-12 10:00")
        // 10:00 in Los Angeles is 02:00 on the 13th in Shanghai; Shanghai's two hours are over by then.
        #expect(try fixture.evaluate(store, at: "2026-12-12 11:59:59").plannedPairs == ["sale SH"])
        #expect(try fixture.evaluate(store, at: "2026-12-12 12:00:00").plannedPairs.isEmpty)
        #expect(try fixture.evaluate(store, at: "2026-12-13 02:00:00").plannedPairs == ["sale LA"])
        // Once per member: a run records the occurrence, and the next tick finds it a duplicate.
        _ = try SQLOutboxWriter.write(try fixture.evaluate(store, at: "2026-12-12 10:00:00"), to: store)
        #expect(try fixture.evaluate(store, at: "2026-12-12 11:00:00").suppressedTriples == ["sale SH duplicate"])
    }

    @Test(arguments: StoreBackend.allCases) func aTierChangeMessageNamesBothTiers(_ backend: StoreBackend) throws {
        let fixture = try EvaluationFixture(triggers: [
            "upgrade": """
                { id: "upgrade", kind: "event", channels: ["sms"], template: "up", category: "service",
                  params: { event: "tier_change", attributes: ["from", "to"], where: { field: "to", in: ["金卡", "钻卡"] } } }
                """,
        ], templates: ["up/sms.zh-CN.txt": "恭喜从{{ event.from | default: \"新会员\" }}升级为{{ event.to }}"])
        let store = try fixture.on(backend).store(members: header + """
            U1,,13800000001,,金卡,2024-01-01,2026-03-01,yes
            U2,,13800000002,,钻卡,2024-01-01,2026-03-01,yes
            U3,,13800000003,,银卡,2024-01-01,2026-03-01,yes
            """, events: """
            {"member_id":"U1","type":"tier_change","at":"2026-03-10 09:00:00","from":"银卡","to":"金卡"}
            {"member_id":"U2","type":"tier_change","at":"2026-03-10 09:00:00","to":"钻卡"}
            {"member_id":"U3","type":"tier_change","at":"2026-03-10 09:00:00","from":"金卡","to":"银卡"}
            """)
        let evaluation = try fixture.evaluate(store, at: "2026-03-10 12:00:00")
        #expect(evaluation.planned.map(\.text) == ["【品牌】恭喜从银卡升级为金卡", "【品牌】恭喜从新会员升级为钻卡"])
    }

    @Test func eventAttributesMustBeDeclared() throws {
        let fixture = try EvaluationFixture(triggers: [
            "upgrade": "{ id: 'upgrade', kind: 'event', channels: ['sms'], template: 'up', params: { event: 'tier_change' } }",
            "other": "{ id: 'other', kind: 'event', channels: ['sms'], template: 'share', params: { event: 'share', attributes: ['channel'] } }",
        ], templates: ["up/sms.zh-CN.txt": "升级为{{ event.to }}", "share/sms.zh-CN.txt": "感谢分享到{{ event.channel }}"])
        let problems = fixture.problems()
        #expect(problems.contains { $0.contains("'event.to' is not an attribute trigger 'upgrade' declares") && $0.contains("add params.attributes: [\"to\"]") })
        // A declared attribute an event may lack needs a default.
        #expect(problems.contains { $0.contains("'event.channel' may be missing") })
    }
}
