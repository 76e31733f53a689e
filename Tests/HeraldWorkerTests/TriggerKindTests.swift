import Foundation
import Testing
import HeraldCore
@_spi(StoreSQL) import HeraldStore
@_spi(StoreSQL) import HeraldTestSupport

private let header = "id,name,phone,push_token,birthday,timezone,tier,registered_at,last_active_at,stored_value,consent_sms,consent_push\n"

/// Each SPEC 2 trigger kind at its edges, through the real store and scheduler.
@Suite struct TriggerKindTests {
    @Test(arguments: StoreBackend.allCases) func inactivityHoldsFromExactlyNDaysAndBelowMaxDays(_ backend: StoreBackend) throws {
        let fixture = try EvaluationFixture(triggers: [
            "silent": EvaluationFixture.trigger("silent", kind: "inactivity", "params: { days: 90, max_days: 180 }"),
        ])
        // T = 2026-03-10 12:00 Shanghai. U1 exactly 90 days, U2 one second short, U3 179 days, U4 exactly 180 days.
        let store = try fixture.on(backend).store(members: header + """
            U1,,13800000001,,,,,2024-01-01,2025-12-10 12:00:00,,yes,
            U2,,13800000002,,,,,2024-01-01,2025-12-10 12:00:01,,yes,
            U3,,13800000003,,,,,2024-01-01,2025-09-12 12:00:00,,yes,
            U4,,13800000004,,,,,2024-01-01,2025-09-11 12:00:00,,yes,
            U5,,13800000005,,,,,2025-12-01 00:00:00,,,yes,
            """, events: """
            {"member_id":"U5","type":"login","at":"2025-12-01 08:00:00"}
            """)
        let evaluation = try fixture.evaluate(store, at: "2026-03-10 12:00:00")
        #expect(evaluation.plannedPairs == ["silent U1", "silent U3", "silent U5"])
        let first = try #require(evaluation.planned.first)
        #expect(first.occurrenceKey == "inactivity:2025-12-10T04:00:00Z")
        // The latest of registration and activity events counts: U5's login, not its registration.
        #expect(evaluation.planned.last?.occurrenceKey == "inactivity:2025-12-01T00:00:00Z")
    }

    @Test(arguments: StoreBackend.allCases) func customActivityEventsCountOnlyForTheTriggerThatListsThem(_ backend: StoreBackend) throws {
        let fixture = try EvaluationFixture(triggers: [
            "plain": EvaluationFixture.trigger("plain", kind: "inactivity", "params: { days: 30 }"),
            "custom": EvaluationFixture.trigger("custom", kind: "inactivity", "params: { days: 30, activity_events: ['app_open'] }"),
        ])
        let store = try fixture.on(backend).store(members: header + "U1,,13800000001,,,,,2024-01-01,2025-12-01 00:00:00,,yes,\n",
                                      events: #"{"member_id":"U1","type":"app_open","at":"2026-03-01 00:00:00"}"# + "\n")
        let evaluation = try fixture.evaluate(store, at: "2026-03-10 12:00:00")
        #expect(evaluation.plannedPairs == ["plain U1"])
    }

    @Test(arguments: StoreBackend.allCases) func birthdayFollowsTheMembersOwnDate(_ backend: StoreBackend) throws {
        let fixture = try EvaluationFixture(triggers: [
            "birthday": EvaluationFixture.trigger("birthday", kind: "birthday"),
        ])
        let store = try fixture.on(backend).store(members: header + """
            SH,,13800000001,,1990-03-10,,,2024-01-01,2026-03-01,,yes,
            LA09,,13800000002,,1990-03-09,America/Los_Angeles,,2024-01-01,2026-03-01,,yes,
            LA10,,13800000003,,1990-03-10,America/Los_Angeles,,2024-01-01,2026-03-01,,yes,
            TOMORROW,,13800000004,,1990-03-11,,,2024-01-01,2026-03-01,,yes,
            """)
        // 2026-03-10 09:00 Shanghai is 2026-03-09 17:00 in Los Angeles.
        let morning = try fixture.evaluate(store, at: "2026-03-10 09:00:00")
        #expect(morning.plannedPairs == ["birthday LA09", "birthday SH"])
        #expect(morning.planned.map(\.occurrenceKey) == ["birthday:2026", "birthday:2026"])
        // One second before Shanghai's midnight SH still has its birthday; one second after, TOMORROW does.
        #expect(try fixture.evaluate(store, at: "2026-03-10 23:59:59").plannedPairs.contains("birthday SH"))
        #expect(try fixture.evaluate(store, at: "2026-03-11 00:00:00").plannedPairs.contains("birthday TOMORROW"))
        #expect(try !fixture.evaluate(store, at: "2026-03-11 00:00:00").plannedPairs.contains("birthday SH"))
    }

    @Test(arguments: StoreBackend.allCases) func twentyNinthOfFebruaryIsCelebratedOnThe28thInCommonYears(_ backend: StoreBackend) throws {
        let fixture = try EvaluationFixture(triggers: [
            "birthday": EvaluationFixture.trigger("birthday", kind: "birthday"),
            "early": EvaluationFixture.trigger("early", kind: "birthday", "params: { days_before: 1 }"),
        ])
        let store = try fixture.on(backend).store(members: header + "LEAP,,13800000001,,2000-02-29,,,2024-01-01,2026-02-01,,yes,\n")
        #expect(try fixture.evaluate(store, at: "2026-02-28 12:00:00").plannedPairs == ["birthday LEAP"])
        #expect(try fixture.evaluate(store, at: "2026-02-27 12:00:00").plannedPairs == ["early LEAP"])
        #expect(try fixture.evaluate(store, at: "2026-03-01 12:00:00").plannedPairs.isEmpty)
        // In a leap year the 29th itself, not the 28th.
        #expect(try fixture.evaluate(store, at: "2028-02-28 12:00:00").plannedPairs == ["early LEAP"])
        let leap = try fixture.evaluate(store, at: "2028-02-29 12:00:00")
        #expect(leap.plannedPairs == ["birthday LEAP"] && leap.planned.first?.occurrenceKey == "birthday:2028")
    }

    @Test(arguments: StoreBackend.allCases) func cartAbandonmentUsesTheLatestCartAndAnyLaterPurchase(_ backend: StoreBackend) throws {
        let fixture = try EvaluationFixture(triggers: [
            "cart": EvaluationFixture.trigger("cart", kind: "cart_abandonment", "params: { after: '2h', within: '72h' }"),
            "baby": EvaluationFixture.trigger("baby", kind: "cart_abandonment", "params: { categories: ['母婴'] }"),
        ])
        let store = try fixture.on(backend).store(members: header + """
            EDGE,,13800000001,,,,,2024-01-01,,,yes,
            EARLY,,13800000002,,,,,2024-01-01,,,yes,
            BOUGHT,,13800000003,,,,,2024-01-01,,,yes,
            TWO,,13800000004,,,,,2024-01-01,,,yes,
            OLD,,13800000005,,,,,2024-01-01,,,yes,
            """, events: """
            {"id":"c1","member_id":"EDGE","type":"cart_add","at":"2026-03-10 10:00:00","sku":"S1","category":"母婴"}
            {"id":"c2","member_id":"EARLY","type":"cart_add","at":"2026-03-10 10:00:01","sku":"S2","category":"母婴"}
            {"id":"c3","member_id":"BOUGHT","type":"cart_add","at":"2026-03-10 08:00:00","sku":"S3","category":"美妆"}
            {"id":"p3","member_id":"BOUGHT","type":"purchase","at":"2026-03-10 11:00:00","amount":99}
            {"id":"c4","member_id":"TWO","type":"cart_add","at":"2026-03-10 06:00:00","sku":"S4","category":"母婴"}
            {"id":"c5","member_id":"TWO","type":"cart_add","at":"2026-03-10 08:00:00","sku":"S5","category":"美妆"}
            {"id":"c6","member_id":"OLD","type":"cart_add","at":"2026-03-07 12:00:00","sku":"S6","category":"母婴"}
            """)
        let evaluation = try fixture.evaluate(store, at: "2026-03-10 12:00:00")
        // EDGE: exactly 2 h; EARLY: 1 s short; BOUGHT: purchased after; OLD: exactly 72 h (still inside).
        // TWO: its latest cart (美妆) counts for `cart`; for `baby` its latest 母婴 cart (06:00) counts.
        #expect(evaluation.plannedPairs.sorted() == ["baby EDGE", "baby OLD", "baby TWO", "cart EDGE", "cart OLD", "cart TWO"])
        let two = try #require(evaluation.planned.first { $0.triggerID == "cart" && $0.memberID == "TWO" })
        #expect(two.occurrenceKey == "cart:c5")
        #expect(evaluation.planned.first { $0.triggerID == "baby" && $0.memberID == "TWO" }?.occurrenceKey == "cart:c4")
        #expect(try fixture.evaluate(store, at: "2026-03-10 12:00:01").plannedPairs.filter { $0.hasSuffix(" OLD") }.isEmpty)
    }

    @Test(arguments: StoreBackend.allCases) func lowBalanceKeysTheOccurrenceByTheLatestTopUp(_ backend: StoreBackend) throws {
        let fixture = try EvaluationFixture(triggers: [
            "low": EvaluationFixture.trigger("low", kind: "low_balance", "params: { below: 200 }"),
        ])
        let store = try fixture.on(backend).store(members: header + """
            TOPPED,,13800000001,,,,,2024-01-01,,50,yes,
            ZERO,,13800000002,,,,,2024-01-01,,0,yes,
            EXACT,,13800000003,,,,,2024-01-01,,200,yes,
            NONE,,13800000004,,,,,2024-01-01,,,yes,
            """, events: #"{"member_id":"TOPPED","type":"topup","at":"2026-03-08 10:00:00","amount":100,"bonus":0}"# + "\n")
        let evaluation = try fixture.evaluate(store, at: "2026-03-10 12:00:00")
        #expect(evaluation.plannedPairs == ["low TOPPED", "low ZERO"])
        #expect(evaluation.planned.map(\.occurrenceKey) == ["low_balance:2026-03-08T02:00:00Z", "low_balance:initial"])
    }

    @Test(arguments: StoreBackend.allCases) func pointsExpiryCountsWhatFIFOSpendingLeft(_ backend: StoreBackend) throws {
        let fixture = try EvaluationFixture(triggers: [
            "points": EvaluationFixture.trigger("points", kind: "points_expiry", "params: { within_days: 30, min_points: 100 }"),
        ], templates: ["t/sms.zh-CN.txt": "{{ points.expiring }}分{{ points.expires_on | date: \"M月d日\" }}到期"])
        let store = try fixture.on(backend).store(members: header + """
            FIFO,,13800000001,,,,,2024-01-01,,,yes,
            SMALL,,13800000002,,,,,2024-01-01,,,yes,
            EDGE,,13800000003,,,,,2024-01-01,,,yes,
            """, events: """
            {"member_id":"FIFO","type":"points_earn","at":"2025-03-01","points":300,"expires_at":"2026-03-15 00:00:00"}
            {"member_id":"FIFO","type":"points_earn","at":"2025-04-01","points":300,"expires_at":"2026-05-01"}
            {"member_id":"FIFO","type":"points_spend","at":"2026-01-01","points":150}
            {"member_id":"SMALL","type":"points_earn","at":"2025-03-01","points":99,"expires_at":"2026-03-20"}
            {"member_id":"EDGE","type":"points_earn","at":"2025-03-01","points":100,"expires_at":"2026-04-09 12:00:00"}
            """)
        let evaluation = try fixture.evaluate(store, at: "2026-03-10 12:00:00")
        // FIFO: 150 left of the first lot; EDGE: expires exactly T + 30 days (inside).
        #expect(evaluation.plannedPairs == ["points EDGE", "points FIFO"])
        let fifo = try #require(evaluation.planned.last)
        #expect(fifo.occurrenceKey == "points:2026-03-15")
        #expect(fifo.text == "【品牌】150分3月15日到期回T退订")
        // One second earlier, EDGE's lot lies one second beyond the 30 days.
        #expect(try fixture.evaluate(store, at: "2026-03-10 11:59:59").plannedPairs == ["points FIFO"])
    }

    @Test(arguments: StoreBackend.allCases) func eventTriggerMatchesWhereDelayAndWithin(_ backend: StoreBackend) throws {
        let fixture = try EvaluationFixture(triggers: [
            "reco": EvaluationFixture.trigger("reco", kind: "event", """
                params: { event: 'purchase', where: { all: [ { field: 'amount', gte: 200 }, { not: { field: 'category', eq: '食品' } } ] },
                          delay: '3h', within: '24h' }
                """),
        ])
        let store = try fixture.on(backend).store(members: header + """
            EXACT,,13800000001,,,,,2024-01-01,,,yes,
            CHEAP,,13800000002,,,,,2024-01-01,,,yes,
            FOOD,,13800000003,,,,,2024-01-01,,,yes,
            EARLY,,13800000004,,,,,2024-01-01,,,yes,
            """, events: """
            {"id":"o1","member_id":"EXACT","type":"purchase","at":"2026-03-10 09:00:00","amount":200.00,"category":"母婴"}
            {"id":"o2","member_id":"CHEAP","type":"purchase","at":"2026-03-10 09:00:00","amount":199.99,"category":"母婴"}
            {"id":"o3","member_id":"FOOD","type":"purchase","at":"2026-03-10 09:00:00","amount":500,"category":"食品"}
            {"id":"o4","member_id":"EARLY","type":"purchase","at":"2026-03-10 09:00:01","amount":500,"category":"数码"}
            """)
        let evaluation = try fixture.evaluate(store, at: "2026-03-10 12:00:00")
        #expect(evaluation.plannedPairs == ["reco EXACT"])
        #expect(evaluation.planned.first?.occurrenceKey == "event:o1")
        // Due until E.at + delay + within, inclusive.
        #expect(try fixture.evaluate(store, at: "2026-03-11 12:00:00").plannedPairs == ["reco EARLY", "reco EXACT"])
        #expect(try fixture.evaluate(store, at: "2026-03-11 12:00:01").plannedPairs == ["reco EARLY"])
    }
}
