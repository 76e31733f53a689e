import Foundation
import Testing
@testable import HeraldCore

@Suite struct TemplateTests {
    private func parse(_ text: String, titleKey: String? = nil) throws -> MessageTemplate {
        let log = DiagnosticLog()
        let template = MessageTemplate.parse(text, path: "t.txt", titleKey: titleKey, log: log)
        #expect(log.diagnostics.isEmpty, "\(log.diagnostics)")
        return try #require(template)
    }

    @Test func filtersRenderAsSpecified() throws {
        let template = try parse("""
            {{ member.name | mask }}/{{ member.tier | default: "会员" }}/{{ coupon.expires_on | date: "M月d日" }}/\
            {{ points.expires_on | date: "yyyy-MM-dd" }}/{{ member.stored_value | money }}/{{ member.stored_value }}/{{ points.expiring }}
            """)
        let values: [String: TemplateValue] = [
            "member.name": .text("张伟"), "coupon.expires_on": .date(CivilDate(year: 2026, month: 3, day: 5)!),
            "points.expires_on": .date(CivilDate(year: 2026, month: 3, day: 5)!), "member.stored_value": .money(Money(fen: 1230)),
            "points.expiring": .number(500),
        ]
        #expect(template.render(values: values) { _, _ in "" }.body == "张*/会员/3月5日/2026-03-05/¥12.30/12.30/500")
        #expect(TemplateFilter.masked("13812345678") == "138****5678")
        #expect(TemplateFilter.masked("欧阳娜娜") == "欧***")
    }

    @Test func pushTitleAndTrackedLinks() throws {
        let template = try parse("title: {{ trigger.name }}\n\n看看 {{ link \"https://a.cn/1\" }} 和 {{ link \"https://a.cn/2\" }}", titleKey: "title")
        let composer = MessageComposer(sms: SMSSettings(), links: LinkSettings(base: "https://s.cn"))
        let message = composer.compose(template, channel: .push, category: .marketing, values: ["trigger.name": .text("生日")],
                                       linkToken: "TOKEN")
        #expect(message.title == "生日")
        #expect(message.text == "看看 https://s.cn/TOKEN 和 https://s.cn/TOKEN/2")
        #expect(message.linkTargets == ["https://a.cn/1", "https://a.cn/2"])
        #expect(message.segments == nil)
    }

    @Test func marketingSMSGetsSignatureAndOptOutOnlyWhenMissing() throws {
        let composer = MessageComposer(sms: SMSSettings(signature: "【品牌】", optOut: "回T退订"), links: nil)
        #expect(composer.decorateSMS("生日快乐", category: .marketing) == "【品牌】生日快乐回T退订")
        #expect(composer.decorateSMS("【品牌】生日快乐，回T退订", category: .marketing) == "【品牌】生日快乐，回T退订")
        // A service SMS carries the signature too (carriers require it on every message), not the opt-out.
        #expect(composer.decorateSMS("积分即将到期", category: .service) == "【品牌】积分即将到期")
        // After a link the opt-out follows a space, so the link stays clickable.
        #expect(composer.decorateSMS("详情 https://s.cn/abc", category: .marketing) == "【品牌】详情 https://s.cn/abc 回T退订")
        let service = composer.compose(try parse("您的验证码"), channel: .sms, category: .service, values: [:], linkToken: "")
        #expect(service.text == "【品牌】您的验证码" && service.segments == 1)
    }

    /// SPEC 1.3: any opt-out wording carriers accept counts, so none is added twice
    /// (a template ending "退订回T" used to render "…退订回T 回T退订").
    @Test func anyKnownOptOutWordingIsNotDoubled() {
        let composer = MessageComposer(sms: SMSSettings(signature: "【品牌】", optOut: "回T退订"), links: nil)
        for text in ["会员日全场8折，退订回T", "会员日全场8折，回TD退订", "会员日全场8折，拒收请回复R", "会员日全场8折，回T退订"] {
            #expect(composer.decorateSMS(text, category: .marketing) == "【品牌】" + text)
        }
        #expect(composer.decorateSMS("会员日全场8折", category: .marketing) == "【品牌】会员日全场8折回T退订")
        // A configured wording of its own counts too, and is what gets added.
        let own = MessageComposer(sms: SMSSettings(signature: "【品牌】", optOut: "退订请回N"), links: nil)
        #expect(own.decorateSMS("会员日，退订请回N", category: .marketing) == "【品牌】会员日，退订请回N")
        #expect(own.decorateSMS("会员日，退订回T", category: .marketing) == "【品牌】会员日，退订回T")
        #expect(own.decorateSMS("会员日", category: .marketing) == "【品牌】会员日退订请回N")
    }

    @Test func segmentCountsForChineseAndASCII() {
        #expect(SMSSegments(String(repeating: "a", count: 160)).count == 1)
        #expect(SMSSegments(String(repeating: "a", count: 161)).count == 2)
        #expect(SMSSegments(String(repeating: "中", count: 70)).count == 1)
        #expect(SMSSegments(String(repeating: "中", count: 71)).count == 2)
        #expect(SMSSegments(String(repeating: "中", count: 134)).count == 2)
        #expect(SMSSegments(String(repeating: "中", count: 135)).count == 3)
        // One Chinese character makes the whole message UCS-2.
        #expect(SMSSegments(String(repeating: "a", count: 70) + "中").count == 2)
    }

    @Test func sendCodesAreUniqueAndShapedAsDocumented() {
        var codes = SendCodes.seeded(7)
        let coupons = (0..<2000).map { _ in codes.couponCode(prefix: "BD") }
        #expect(Set(coupons).count == coupons.count)
        #expect(coupons.allSatisfy { $0.hasPrefix("BD") && $0.count == 12 && !$0.contains("0") && !$0.contains("O") && !$0.contains("I") })
        var again = SendCodes.seeded(7)
        #expect(again.couponCode(prefix: "BD") == coupons[0])
        #expect(codes.linkToken().count == SendCodes.tokenLength)
    }

    /// A code the store already holds is drawn again rather than collide with it.
    @Test func aCodeTheStoreHoldsIsDrawnAgain() {
        var first = SendCodes.seeded(11)
        let taken = [first.couponCode(prefix: "WB"), first.couponCode(prefix: "WB")]
        var codes = SendCodes.seeded(11)
        var asked: [String] = []
        codes.isIssued = { code in
            asked.append(code)
            return taken.contains(code)
        }
        let drawn = codes.couponCode(prefix: "WB")
        #expect(!taken.contains(drawn) && asked == taken + [drawn])
    }
}
