import Foundation
import Testing
import HeraldCore
import HeraldDelivery
@_spi(StoreSQL) import HeraldStore
@_spi(StoreSQL) import HeraldTestSupport
import HeraldWorker

/// `deliver: "all"` (短信+推送组合): one occurrence sent on every reachable, consented channel —
/// one coupon and one link token shared, a row and key per channel, one unit of the caps, one
/// report row per trigger and one per channel.
@Suite(.timeLimit(.minutes(1))) struct CombinationDeliveryTests {
    private func fixture() throws -> EvaluationFixture {
        try EvaluationFixture(config: EvaluationFixture.config(#"caps: [{ max: 2, per: "1d" }],"#), triggers: [
            "combo": EvaluationFixture.trigger("combo", kind: "inactivity", """
                channels: ["sms", "push"], deliver: "all", params: { days: 30 },
                offer: { code_prefix: "CB", title: "满100减10", valid_days: 7 }
                """),
            // Planned too only if the combination took one unit of the daily cap of two, not two.
            "other": #"{ id: "other", kind: "inactivity", template: "o", channels: ["sms"], params: { days: 40 } }"#,
        ], templates: [
            "t/sms.zh-CN.txt": "券{{ coupon.code | default: \"-\" }} {{ link \"https://shop.example.cn/a\" }}",
            "o/sms.zh-CN.txt": "好久不见",
            "t/push.zh-CN.txt": "title: 标题\n\n券{{ coupon.code | default: \"-\" }} {{ link \"https://shop.example.cn/b\" }}",
        ])
    }

    @Test func smsAndPushBothGoOutAsOneOccurrenceWithOneCouponAndOneCapUnit() async throws {
        let fixture = try fixture()
        let store = try fixture.store(members: "id,phone,push_token,last_active_at,consent_sms,consent_push\n"
            + "U1,13800138001,tok-1,2026-01-01,yes,yes")
        let preview = try fixture.evaluate(store, at: "2026-03-10 12:00:00")
        let combo = try #require(preview.planned.first { $0.triggerID == "combo" })
        #expect(combo.channel == "sms" && combo.companions.map(\.channel) == ["push"] && combo.fallbacks.isEmpty)
        #expect(preview.planned.map(\.triggerID).sorted() == ["combo", "other"], "the combination took one cap unit")
        try await fixture.planAndDeliver(store)
        let rows = try store.column("""
            SELECT trigger_id || ' ' || channel || ' ' || status || ' ' || coalesce(coupon_code, '-') || ' '
                || (companion_of IS NOT NULL) FROM outbox ORDER BY key
            """)
        let coupon = try #require(combo.coupon?.code)
        #expect(rows == ["combo sms sent \(coupon) 0", "combo push sent - 1", "other sms sent - 0"])
        #expect(try store.column("SELECT count(*) FROM occurrences WHERE trigger_id = 'combo'") == ["1"])
        // Both messages carry the one coupon and the one token; the push link is the second target.
        let texts = try store.column("SELECT body FROM outbox WHERE trigger_id = 'combo' ORDER BY key")
        #expect(texts[0].contains(coupon) && texts[0].contains("https://s.example.cn/\(combo.linkToken)"))
        #expect(texts[1].contains(coupon) && texts[1].hasSuffix("https://s.example.cn/\(combo.linkToken)/2"))
        #expect(try store.trackedLink(token: combo.linkToken)?.targets == ["https://shop.example.cn/a", "https://shop.example.cn/b"])
        let keys = try store.column("SELECT idempotency_key FROM outbox WHERE trigger_id = 'combo' ORDER BY key")
        #expect(keys.count == 2 && keys[1] == keys[0] + "/push")
        // A second tick plans nothing more (the occurrences are recorded), and the history the
        // caps read holds the combination once: two sends that day, not three.
        let again = try fixture.evaluate(store, at: "2026-03-10 12:05:00")
        #expect(again.planned.isEmpty)
        let history = try store.makeSendHistory().sends(memberKey: 1, from: fixture.at("2026-03-10 00:00:00"),
                                                        until: fixture.at("2026-03-11 00:00:00"))
        #expect(history.map(\.triggerID).sorted() == ["combo", "other"])
        // The report: one row for the trigger — its two messages planned and sent, one member
        // reached — and one row per channel by channel.
        let byTrigger = try store.campaignReport(CampaignReportQuery(), including: [])
        let row = try #require(byTrigger.first { $0.triggerID == "combo" })
        #expect(row.planned == 2 && row.sent == 2 && row.reached == 1)
        let byChannel = try store.campaignReport(CampaignReportQuery(grouping: .channel), including: [])
            .filter { $0.triggerID == "combo" }.map { "\($0.group ?? "-") \($0.planned) \($0.sent)" }
        #expect(byChannel.sorted() == ["push 1 1", "sms 1 1"])
    }

    /// The occurrence keeps its cap unit while any of its messages is live: the SMS cancelled
    /// (consent withdrawn before the call), the push still sent.
    @Test func aCancelledFirstMessageLeavesTheOccurrenceCounted() async throws {
        let fixture = try fixture()
        let store = try fixture.store(members: "id,phone,push_token,last_active_at,consent_sms,consent_push\n"
            + "U1,13800138001,tok-1,2026-01-01,yes,yes")
        try SQLOutboxWriter.write(try fixture.evaluate(store, at: "2026-03-10 12:00:00"), to: store)
        try store.database.execute("UPDATE outbox SET status = 'cancelled' WHERE trigger_id = 'combo' AND companion_of IS NULL")
        let history = try store.makeSendHistory().sends(memberKey: 1, from: fixture.at("2026-03-10 00:00:00"),
                                                        until: fixture.at("2026-03-11 00:00:00"))
        #expect(history.map(\.triggerID).sorted() == ["combo", "other"])
        try store.database.execute("UPDATE outbox SET status = 'failed' WHERE trigger_id = 'combo'")
        let none = try store.makeSendHistory().sends(memberKey: 1, from: fixture.at("2026-03-10 00:00:00"),
                                                     until: fixture.at("2026-03-11 00:00:00"))
        #expect(none.map(\.triggerID) == ["other"], "every message of the occurrence ended: it no longer counts")
        // A companion's occurrence key cannot be another occurrence's (event ids are free text).
        #expect(try store.column("SELECT occurrence_key FROM outbox WHERE companion_of IS NOT NULL").allSatisfy { $0.hasPrefix("+push:") })
    }

    /// An SMS over max_segments drops that message only: the push goes out as the send.
    @Test func anOverlongSMSLeavesThePushAsTheSend() throws {
        let fixture = try EvaluationFixture(config: EvaluationFixture.config(), triggers: [
            "combo": EvaluationFixture.trigger("combo", kind: "inactivity", #"channels: ["sms", "push"], deliver: "all", params: { days: 30 }"#),
        ], templates: [
            // Validation takes names at 10 characters; a default longer than that is not (docs/triggers.md).
            "t/sms.zh-CN.txt": "{{ member.name | default: \"\(String(repeating: "很长的称呼", count: 60))\" }}",
            "t/push.zh-CN.txt": "title: 标题\n\n短",
        ])
        let store = try fixture.store(members: "id,phone,push_token,last_active_at,consent_sms,consent_push\n"
            + "U1,13800138001,tok-1,2026-01-01,yes,yes")
        let evaluation = try fixture.evaluate(store, at: "2026-03-10 12:00:00")
        #expect(evaluation.planned.map(\.channel) == ["push"] && evaluation.planned.first?.companions.isEmpty == true)
    }

    @Test func deliverTakesFirstOrAll() {
        let fixture = try? EvaluationFixture(triggers: [
            "bad": EvaluationFixture.trigger("bad", kind: "inactivity", #"deliver: "both", params: { days: 30 }"#),
        ])
        #expect(fixture?.problems().contains { $0.contains(#"deliver: expected "first" or "all", found "both""#) } == true,
                "\(fixture?.problems() ?? [])")
    }
}
