import Foundation
import Testing
@testable import HeraldCore

private func decode(_ pairs: [(MemberField, String)]) -> Result<MemberRecord, RowProblem> {
    var decoder = MemberRecordDecoder(defaultTimeZone: TimeZone(identifier: "Asia/Shanghai")!)
    return Result { () throws(RowProblem) in try decoder.decode(pairs.map { ($0.0, MemberInput.text($0.1)) }) }
}

@Suite struct MemberRecordDecoderTests {
    @Test func aFullRowDecodes() throws {
        let record = try decode([
            (.id, "U1"), (.name, "张三"), (.phone, "13812345678"), (.email, "z@example.cn"), (.birthday, "--02-29"),
            (.timezone, "America/New_York"), (.locale, "zh_cn"), (.tags, "vip; 母婴;vip"), (.storedValue, "150"),
            (.consentSMS, "yes"), (.consentPush, ""), (.registeredAt, "2024-01-02 10:00:00"),
        ]).get()
        #expect(record.profile.phone?.e164 == "+8613812345678")
        #expect(record.profile.birthday == Birthday(year: nil, month: 2, day: 29))
        #expect(record.profile.locale == "zh-CN")
        #expect(record.profile.tags == ["vip", "母婴"])
        #expect(record.profile.storedValue == Money(fen: 15_000))
        #expect(record.profile.consents == [.sms: .yes, .push: .unknown])
        #expect(record.profile.registeredAt?.timeIntervalSince1970 == 1_704_160_800)
        #expect(record.providedFields.contains(.consentPush))
        #expect(!record.providedFields.contains(.tier))
    }

    @Test(arguments: [
        ([(MemberField.name, "x")], "id: missing"),
        ([(.id, "")], "id: missing"),
        ([(.id, "U1"), (.phone, "12345")], "phone: found \"12345\""),
        ([(.id, "U1"), (.email, "nobody")], "email: found \"nobody\""),
        ([(.id, "U1"), (.birthday, "1990-02-30")], "birthday: found \"1990-02-30\""),
        ([(.id, "U1"), (.timezone, "Mars/Olympus")], "timezone: found \"Mars/Olympus\""),
        ([(.id, "U1"), (.timezone, "CST")], "timezone: found \"CST\""),
        ([(.id, "U1"), (.locale, "chinese!")], "locale: found \"chinese!\""),
        ([(.id, "U1"), (.registeredAt, "yesterday")], "registered_at: found \"yesterday\""),
        ([(.id, "U1"), (.lastActiveAt, "2026-13-01")], "last_active_at: found \"2026-13-01\""),
        ([(.id, "U1"), (.storedValue, "-5")], "stored_value: found \"-5\""),
        ([(.id, "U1"), (.storedValue, "1.005")], "stored_value: found \"1.005\""),
        ([(.id, "U1"), (.consentEmail, "maybe")], "consent_email: found \"maybe\""),
    ] as [([(MemberField, String)], String)])
    func everyRejectReasonNamesTheFieldAndWhatWasExpected(pairs: [(MemberField, String)], reason: String) {
        guard case .failure(let problem) = decode(pairs) else {
            Issue.record("expected a rejection for \(pairs)")
            return
        }
        #expect(problem.reason.hasPrefix(reason), "\(problem.reason)")
        if problem.reason.contains("found") { #expect(problem.reason.contains("expected")) }
    }
}
