import Foundation
import HeraldCore
import HeraldDelivery
@_spi(StoreSQL) import HeraldStore
@_spi(StoreSQL) import HeraldTestSupport
import HeraldWorker
import Testing

/// A fixed campaign, planned, delivered through log channels and followed by receipts,
/// clicks, redeems and purchases — including duplicates, late and unknown events — and the
/// report's every column checked against counts worked out by hand.
@Suite struct CampaignReportTests {
    /// 8 treated and 3 held-out members of `winback` (10 % holdout would be too few to pick
    /// from; 30 %), plus a gold member who said no to SMS.
    final class Campaign {
        let fixture: EvaluationFixture
        let store: SQLStore
        let treated: [String]
        let heldOut: [String]
        let sink = CollectingSink()
        /// Send rows by member for `winback`: token, coupon, idempotency key.
        var sends: [String: (token: String, coupon: String?, key: String)] = [:]

        init(_ backend: StoreBackend) async throws {
            // Scattered ids, the first 8 drawn into treatment and the first 3 into control.
            let ids = (1...200).map { String(format: "%05d", ($0 * 48_271) % 99_991) }
            treated = Array(ids.filter { !AudienceDraw.isHeldOut(triggerID: "winback", memberID: $0, share: 0.3) }.prefix(8))
            heldOut = Array(ids.filter { AudienceDraw.isHeldOut(triggerID: "winback", memberID: $0, share: 0.3) }.prefix(3))
            fixture = try EvaluationFixture(triggers: [
                "winback": EvaluationFixture.trigger("winback", kind: "inactivity", """
                    params: { days: 30 }, holdout: 0.3, offer: { code_prefix: "WB", title: "满100减15", valid_days: 7 }
                    """),
                "notice": EvaluationFixture.trigger("notice", kind: "inactivity", """
                    params: { days: 30 }, category: "service", audience: { field: "tier", eq: "金卡" }
                    """),
            ])
            let header = "id,phone,tier,registered_at,last_active_at,consent_sms\n"
            let rows = (treated + heldOut).enumerated().map { index, id in
                "\(id),1380013\(String(format: "%04d", index)),\(index < 2 ? "金卡" : "银卡"),2024-01-01,2026-01-01,yes"
            } + ["X0,13900000000,金卡,2024-01-01,2026-01-01,no"]
            store = try fixture.on(backend).store(members: header + rows.joined(separator: "\n"))

            let clock = ManualWallClock(fixture.at("2026-03-10 12:00:00"))
            var codes = SendCodes.seeded(5)
            let catalog = try fixture.catalog()
            let evaluation = try Scheduler(catalog: catalog, store: store).evaluate(at: clock.now(), codes: &codes)
            try SQLOutboxWriter.write(evaluation, to: store)
            let routers = try ChannelFactory.makeRouters(
                catalog.config, context: ChannelContext(secrets: SecretSource(environment: [:]), clock: clock))
            let dispatcher = try Dispatcher(store: store.location, catalog: catalog, routers: routers, issuers: [:],
                                            clock: clock,
                                            log: EventLog { _ in })
            await dispatcher.drain()
            let sendRows = try store.database.prepare("""
                SELECT m.id, o.link_token, o.coupon_code, o.idempotency_key FROM outbox o JOIN members m ON m.key = o.member_key
                WHERE o.trigger_id = 'winback'
                """)
            while try sendRows.step() {
                sends[sendRows.text(at: 0)!] = (sendRows.text(at: 1)!, sendRows.text(at: 2), sendRows.text(at: 3)!)
            }
        }

        func ingest(_ lines: [String]) throws -> ImportSummary {
            let ingester = try store.makeEventIngester(defaultTimeZone: fixture.zone, clock: ManualWallClock(Date()))
            return try ingester.ingest(from: LineReader(path: try fixture.folder.write("events-\(UUID().uuidString).ndjson",
                                                                                        lines.joined(separator: "\n"))),
                                       sink: sink)
        }

        func report(_ grouping: ReportGrouping = .trigger, since: String? = nil, until: String? = nil) throws -> [CampaignReportRow] {
            let query = CampaignReportQuery(period: ReportPeriod(since: since.flatMap(CivilDate.init(parsing:)),
                                                                 until: until.flatMap(CivilDate.init(parsing:))),
                                            grouping: grouping)
            return try store.campaignReport(query, including: ["notice", "winback"])
        }
    }

    static func event(_ id: String, _ member: String?, _ type: String, _ at: String, _ fields: String) -> String {
        let memberField = member.map { "\"member_id\": \"\($0)\", " } ?? ""
        return "{\"id\": \"\(id)\", \(memberField)\"type\": \"\(type)\", \"at\": \"\(at)\", \(fields)}"
    }

    /// The events of the story, by hand: t = treated members, h = held out, in fixture order.
    static func story(_ campaign: Campaign) -> [String] {
        let t = campaign.treated, h = campaign.heldOut, send = campaign.sends
        var lines: [String] = []
        // Receipts: t0…t5 delivered (t0's twice), t6 undelivered, t7 none; one names no send.
        for index in 0...5 {
            lines.append(event("r\(index)", nil, "delivered", "2026-03-10T12:00:05+08:00", "\"key\": \"\(send[t[index]]!.key)\""))
        }
        lines.append(event("r0b", nil, "delivered", "2026-03-10T12:00:06+08:00", "\"key\": \"\(send[t[0]]!.key)\""))
        lines.append(event("r6", nil, "undelivered", "2026-03-10T12:00:07+08:00", "\"key\": \"\(send[t[6]]!.key)\""))
        lines.append(event("r9", nil, "delivered", "2026-03-10T12:00:07+08:00", "\"key\": \"hk-nobody\""))
        // Clicks: t0 three times (one line repeated as it is), t1 once — two days later; one unknown token.
        let click0 = event("c0", t[0], "click", "2026-03-10T12:10:00+08:00", "\"token\": \"\(send[t[0]]!.token)\"")
        lines += [click0, click0]
        lines.append(event("c1", t[0], "click", "2026-03-10T13:00:00+08:00", "\"token\": \"\(send[t[0]]!.token)\""))
        lines.append(event("c2", t[1], "click", "2026-03-12T09:00:00+08:00", "\"token\": \"\(send[t[1]]!.token)\""))
        lines.append(event("c3", t[1], "click", "2026-03-12T09:00:00+08:00", "\"token\": \"NOSUCHTOKEN0\""))
        // Redeems: t0 in time; t1 after the 7 days; t2 twice in time; one unknown coupon.
        lines.append(event("d0", t[0], "redeem", "2026-03-11T10:00:00+08:00", "\"coupon\": \"\(send[t[0]]!.coupon!)\""))
        lines.append(event("d1", t[1], "redeem", "2026-03-17T12:00:01+08:00", "\"coupon\": \"\(send[t[1]]!.coupon!)\""))
        lines.append(event("d2", t[2], "redeem", "2026-03-12T10:00:00+08:00", "\"coupon\": \"\(send[t[2]]!.coupon!)\""))
        lines.append(event("d3", t[2], "redeem", "2026-03-13T10:00:00+08:00", "\"coupon\": \"\(send[t[2]]!.coupon!)\""))
        lines.append(event("d4", t[3], "redeem", "2026-03-12T10:00:00+08:00", "\"coupon\": \"WBNOSUCHONE\""))
        // Purchases: t0, t2 in the window; t3 after it; t4 before the send. Control: h0 in, h1 after.
        func purchase(_ id: String, _ member: String, _ at: String) -> String {
            event(id, member, "purchase", at, "\"amount\": 120, \"sku\": \"S1\", \"category\": \"食品\", \"order_id\": \"\(id)\"")
        }
        lines += [purchase("p0", t[0], "2026-03-11T10:00:00+08:00"), purchase("p1", t[2], "2026-03-12T10:00:00+08:00"),
                  purchase("p2", t[3], "2026-03-17T12:00:01+08:00"), purchase("p3", t[4], "2026-03-10T11:00:00+08:00"),
                  purchase("p4", h[0], "2026-03-13T18:00:00+08:00"), purchase("p5", h[1], "2026-03-20T18:00:00+08:00")]
        return lines
    }

    /// A goal (purchases of ¥100 or more within 7 days) counts reached members who met it, its
    /// events' amounts as revenue, and measures the lift on it: t5's ¥50 purchase is a purchase
    /// (the attribution lift counts it) but not the goal.
    @Test(arguments: StoreBackend.allCases) func aGoalCountsConversionsRevenueAndItsOwnLift(_ backend: StoreBackend) async throws {
        let campaign = try await Campaign(backend)
        let t = campaign.treated
        _ = try campaign.ingest(Self.story(campaign) + [
            Self.event("p6", t[5], "purchase", "2026-03-11T10:00:00+08:00", "\"amount\": 50, \"order_id\": \"p6\""),
            // t0 again within the window: revenue adds up, t0 counts once.
            Self.event("p7", t[0], "purchase", "2026-03-15T10:00:00+08:00", "\"amount\": 300, \"order_id\": \"p7\""),
        ])
        let plain = try #require(try campaign.report().last)
        #expect(plain.goalConverted == nil && plain.revenueFen == nil)
        #expect(plain.lift.treated == .init(successes: 3, trials: 8))
        let goal = TriggerGoal(event: "purchase", filter: .condition(FilterCondition(field: "amount", op: .gte, values: [.number(100)])),
                               within: TimeSpan(days: 7))
        for grouping in [ReportGrouping.trigger, .day] {
            let rows = try campaign.store.campaignReport(CampaignReportQuery(grouping: grouping, goals: ["winback": goal]),
                                                         including: ["notice", "winback"])
            let winback = try #require(rows.last { $0.triggerID == "winback" })
            #expect(winback.group == (grouping == .day ? "2026-03-10" : nil))
            // t0 (¥120 + ¥300) and t2 (¥120); t3's purchase is one second past the window, t4's before the send.
            #expect(winback.goalConverted == 2 && winback.revenueFen == 54_000)
            #expect(winback.goalConversionRate == 2.0 / 7 && winback.revenuePerSend == 540.0 / 8)
            #expect(winback.lift.treated == .init(successes: 2, trials: 8))
            #expect(winback.lift.control == .init(successes: 1, trials: 3))
            #expect(rows.first { $0.triggerID == "notice" }?.goalConverted == nil)
        }
    }

    @Test(arguments: StoreBackend.allCases) func everyColumnOfTheCampaignSheet(_ backend: StoreBackend) async throws {
        let campaign = try await Campaign(backend)
        #expect(campaign.sends.count == 8)
        let summary = try campaign.ingest(Self.story(campaign))
        #expect(summary.inserted == 24 && summary.duplicates == 1 && summary.rejected == 0)
        #expect(campaign.sink.warnings.map(\.message).sorted() == [
            "click: token 'NOSUCHTOKEN0' belongs to no send; stored, not attributed",
            "delivered: 'hk-nobody' is neither the key nor the provider id of a send (or a later receipt is already recorded); "
                + "stored, not applied",
            "redeem: coupon '\(campaign.sends[campaign.treated[1]]!.coupon!)' expired at 2026-03-17T04:00:00Z; "
                + "a late redeem is not attributed",
            "redeem: coupon 'WBNOSUCHONE' was issued by no send; stored, not attributed",
        ])

        let rows = try campaign.report()
        #expect(rows.map(\.triggerID) == ["notice", "winback"])
        let winback = rows[1]
        #expect(winback.group == nil)
        #expect(winback.planned == 8 && winback.heldOut == 3)
        #expect(winback.suppressed == [.noConsent: 1])
        #expect(winback.sent == 8 && winback.delivered == 6 && winback.failed == 1 && winback.pending == 0)
        #expect(winback.reached == 7 && winback.clicked == 2 && winback.redeemed == 2)
        #expect(winback.clickThroughRate == 2.0 / 7 && winback.conversionRate == 2.0 / 7)
        #expect(winback.lift.treated == .init(successes: 2, trials: 8))
        #expect(winback.lift.control == .init(successes: 1, trials: 3))
        // Newcombe bounds for 2/8 against 1/3, worked out separately (Python, the same formulas from the paper).
        let interval = try #require(winback.lift.interval95)
        #expect(abs(winback.lift.absolute! - (-1.0 / 12)) < 1e-12)
        #expect(abs(interval.lowerBound - -0.5758) < 0.0001 && abs(interval.upperBound - 0.3525) < 0.0001)

        // The service notice: two gold members, no coupon, so nothing to redeem; X0 said no.
        let notice = rows[0]
        #expect(notice.planned == 2 && notice.sent == 2 && notice.reached == 2 && notice.redeemed == 0)
        #expect(notice.conversionRate == 0 && notice.clicked == 0 && notice.heldOut == 0)
        #expect(notice.suppressed == [.audience: 9, .noConsent: 1])
        #expect(notice.lift.control.trials == 0 && notice.lift.interval95 == nil)

        // Ingesting the same file again changes nothing.
        let again = try campaign.ingest(Self.story(campaign))
        #expect(again.inserted == 0 && again.duplicates == 25)
        #expect(try campaign.report() == rows)
    }

    @Test(arguments: StoreBackend.allCases) func rowsPerDayChannelAndVariantAndAnEmptyPeriod(_ backend: StoreBackend) async throws {
        let campaign = try await Campaign(backend)
        _ = try campaign.ingest(Self.story(campaign))
        let total = try campaign.report()[1]

        let daily = try campaign.report(.day).filter { $0.triggerID == "winback" }
        #expect(daily.map(\.group) == ["2026-03-10"])
        #expect(daily[0].planned == total.planned && daily[0].heldOut == 3 && daily[0].lift == total.lift)

        let perChannel = try campaign.report(.channel).filter { $0.triggerID == "winback" }
        #expect(perChannel.map(\.group) == ["sms"])
        #expect(perChannel[0].heldOut == nil && perChannel[0].suppressed == nil)
        #expect(perChannel[0].lift.control == .init(successes: 1, trials: 3))

        let empty = try campaign.report(since: "2026-04-01", until: "2026-04-30")
        #expect(empty.map(\.triggerID) == ["notice", "winback"])
        for row in empty {
            #expect(row.planned == 0 && row.sent == 0 && row.reached == 0 && row.heldOut == 0 && row.suppressed == [:])
            #expect(row.clickThroughRate == nil && row.conversionRate == nil && row.lift.absolute == nil)
        }
        #expect(try campaign.report(.day, since: "2026-04-01").isEmpty)
    }

    /// A purchase converts a send (or a held-out occurrence) whichever reaches the store first:
    /// events dated ahead of an evaluation, or a late tick, are attributed when the send is
    /// planned; later ones at ingest, the earliest winning; and a store from before schema 7 has
    /// its purchases attributed on upgrade.
    @Test(arguments: StoreBackend.allCases) func purchasesAreAttributedWhicheverArrivesFirst(_ backend: StoreBackend) throws {
        let ids = (1...40).map { "P\($0)" }
        let treated = try #require(ids.first { !AudienceDraw.isHeldOut(triggerID: "birthday", memberID: $0, share: 0.5) })
        let held = try #require(ids.first { AudienceDraw.isHeldOut(triggerID: "birthday", memberID: $0, share: 0.5) })
        // A birthday trigger: purchases dated ahead do not change who is a candidate (they would
        // for inactivity, since a purchase is activity).
        let fixture = try EvaluationFixture(triggers: [
            "birthday": EvaluationFixture.trigger("birthday", kind: "birthday", "holdout: 0.5"),
        ])
        let store = try fixture.on(backend).store(members: "id,phone,birthday,consent_sms\n"
            + "\(treated),13800138001,1990-03-10,yes\n\(held),13800138002,1990-03-10,yes")
        func purchase(_ id: String, _ member: String, _ at: String) -> String {
            Self.event(id, member, "purchase", at, "\"amount\": 99, \"order_id\": \"\(id)\"")
        }
        func ingest(_ lines: [String]) throws {
            let ingester = try store.makeEventIngester(defaultTimeZone: fixture.zone, clock: ManualWallClock(Date()))
            _ = try ingester.ingest(from: LineReader(path: try fixture.folder.write("e-\(UUID().uuidString).ndjson",
                                                                                     lines.joined(separator: "\n"))),
                                    sink: CollectingSink())
        }
        // Dated after the send (12:00 on the 10th) but ingested before it is planned; one outside the 7 days.
        try ingest([purchase("a1", treated, "2026-03-12T10:00:00+08:00"), purchase("b1", held, "2026-03-12T10:00:00+08:00"),
                    purchase("a9", treated, "2026-03-18T12:00:01+08:00")])
        try SQLOutboxWriter.write(try fixture.evaluate(store, at: "2026-03-10 12:00:00"), to: store)
        func purchasedAt() throws -> [String] {
            let rows = try store.database.prepare("""
                SELECT m.id, o.purchased_at FROM outbox o JOIN members m ON m.key = o.member_key
                UNION ALL
                SELECT m.id, h.purchased_at FROM occurrences h
                JOIN members m ON m.key = h.member_key WHERE h.outcome = 'held_out' ORDER BY 1
                """)
            var found: [String] = []
            while try rows.step() {
                found.append("\(rows.text(at: 0)!) " + (rows.instant(at: 1).map(InstantFormatter.utcString) ?? "-"))
            }
            return found
        }
        #expect(try purchasedAt() == ["\(held) 2026-03-12T02:00:00Z", "\(treated) 2026-03-12T02:00:00Z"].sorted())
        // An earlier purchase ingested afterwards wins.
        try ingest([purchase("a2", treated, "2026-03-10T20:00:00+08:00")])
        #expect(try purchasedAt() == ["\(held) 2026-03-12T02:00:00Z", "\(treated) 2026-03-10T12:00:00Z"].sorted())
        // PostgreSQL stores start at version 11: the upgrade from 6 is SQLite's alone.
        guard backend == .sqlite else { return }
        // Back to schema 6, without what 7 to 12 added: the upgrade attributes the stored purchases again.
        try store.database.execute("""
            ALTER TABLE outbox DROP COLUMN coupon_issued_at; ALTER TABLE outbox DROP COLUMN coupon_planned_code;
            DROP TABLE store_keys; DROP INDEX delivery_attempts_started; DROP INDEX events_at; DROP TABLE audit_log; DROP INDEX outbox_companions; ALTER TABLE outbox DROP COLUMN companion_of; DROP TABLE provider_tokens;
            ALTER TABLE members DROP COLUMN wechat_openid; ALTER TABLE members DROP COLUMN consent_wechat;
            ALTER TABLE outbox DROP COLUMN html; ALTER TABLE outbox DROP COLUMN link_targets; DROP INDEX members_phone;
            ALTER TABLE outbox DROP COLUMN purchased_at; DROP INDEX occurrences_held_out_member;
            ALTER TABLE occurrences DROP COLUMN purchased_at; UPDATE schema_version SET version = 6;
            """)
        let upgraded = try SQLStore(path: store.location.description)
        let rows = try upgraded.database.prepare("SELECT count(*) FROM outbox WHERE purchased_at IS NOT NULL")
        #expect(try rows.step() && rows.integer(at: 0) == 1)
        let report = try upgraded.campaignReport(CampaignReportQuery())
        #expect(report.first?.lift.treated.successes == 1 && report.first?.lift.control.successes == 1)
    }

    @Test(arguments: StoreBackend.allCases) func aReceiptBeforeTheGatewaysAnswerIsAppliedWhenSentIsRecorded(_ backend: StoreBackend) async throws {
        let campaign = try await Campaign(backend)
        let key = campaign.sends[campaign.treated[0]]!.key
        // Put the row back as if its call were still in flight, then let the receipt arrive.
        try campaign.store.database.execute("UPDATE outbox SET status = 'sending', receipt = NULL WHERE idempotency_key = '\(key)'")
        _ = try campaign.ingest([Self.event("early", nil, "delivered", "2026-03-10T12:00:01+08:00", "\"key\": \"\(key)\"")])
        #expect(try campaign.store.database.scalarText("SELECT status FROM outbox WHERE idempotency_key = '\(key)'") == "sending")
        let rowKey = try #require(try campaign.store.database.scalarInteger(
            "SELECT key FROM outbox WHERE idempotency_key = '\(key)'"))
        let now = campaign.fixture.at("2026-03-10 12:00:02")
        try SQLOutboxQueue(store: campaign.store).record([DeliveryRecord(
            key: rowKey, outcome: .sent(providerID: nil), startedAt: now, finishedAt: now, calledGateway: true)])
        #expect(try campaign.store.database.scalarText("SELECT status FROM outbox WHERE idempotency_key = '\(key)'") == "delivered")
    }
}
