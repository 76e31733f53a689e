import Testing
@testable import HeraldCore

@Suite struct MemberValueTests {
    @Test(arguments: [
        ("13812345678", "+8613812345678"),
        ("138 1234 5678", "+8613812345678"),
        ("138-1234-5678", "+8613812345678"),
        ("+86 138 1234 5678", "+8613812345678"),
        ("8613812345678", "+8613812345678"),
        ("008613812345678", "+8613812345678"),
        ("+1 (415) 555-0100", "+14155550100"),
        ("+852 9123 4567", "+85291234567"),
    ])
    func phonesNormaliseToE164(text: String, e164: String) {
        #expect(PhoneNumber(text)?.e164 == e164)
    }

    @Test(arguments: ["12345", "1381234567", "138123456789", "12812345678", "010-12345678", "+86 010 1234 5678",
                      "+0123456789", "+1234", "1381234567a", "13812345678#"])
    func implausiblePhonesAreRejected(text: String) {
        #expect(PhoneNumber(text) == nil)
    }

    @Test func phonesAreMaskedForLogs() {
        #expect(PhoneNumber("13812345678")?.masked == "+86138****5678")
        #expect(PhoneNumber("+14155550100")?.masked == "+141****0100")
    }

    @Test(arguments: [("150", 15_000), ("150.5", 15_050), ("150.50", 15_050), ("¥1,280.00", 128_000), ("0.05", 5),
                      ("-3.25", -325), (".5", 50)] as [(String, Int64)])
    func moneyIsExactInFen(text: String, fen: Int64) {
        #expect(Money(yuan: text)?.fen == fen)
    }

    @Test(arguments: ["", "1.234", "abc", "1.2.3", "¥", "12e3", "99999999999999"])
    func badAmountsAreRejectedNotRounded(text: String) {
        #expect(Money(yuan: text) == nil)
    }

    @Test func moneyPrintsAsYuan() {
        #expect(Money(fen: 1230).description == "¥12.30")
        #expect(Money(fen: -305).description == "-¥3.05")
    }

    @Test func birthdays() {
        #expect(Birthday("1990-05-20") == Birthday(year: 1990, month: 5, day: 20))
        #expect(Birthday("--02-29") == Birthday(year: nil, month: 2, day: 29))
        #expect(Birthday("2000-02-29") != nil)
        #expect(Birthday("2001-02-29") == nil)
        #expect(Birthday("1990-13-01") == nil)
        #expect(Birthday("05-20") == nil)
        #expect(Birthday("--02-29")?.description == "--02-29")
    }

    @Test func consentSpellings() {
        #expect(Consent(text: "yes") == .yes)
        #expect(Consent(text: "TRUE") == .yes)
        #expect(Consent(text: "否") == .no)
        #expect(Consent(text: "") == .unknown)
        #expect(Consent(text: "maybe") == nil)
    }

    @Test func fnvMatchesPublishedVectors() {
        #expect(FNV1a.hash64("".utf8) == 0xCBF2_9CE4_8422_2325)
        #expect(FNV1a.hash64("a".utf8) == 0xAF63_DC4C_8601_EC8C)
        #expect(FNV1a.hash64("foobar".utf8) == 0x8594_4171_F739_67E8)
        #expect(FNV1a.hash128("a".utf8) == 0xD228_CB69_6F1A_8CAF_7891_2B70_4E4A_8964)
        // Independently computed (Python) over the UTF-8 of a SPEC holdout key.
        #expect(FNV1a.finalized(FNV1a.hash64("birthday:U1".utf8)) == 0x00E0_E54B_EC6B_71BD)
        #expect(FNV1a.unitInterval("birthday:U1") == 0.003431635890974283)
        #expect(FNV1a.hash64("生日:U1".utf8) == 0xB817_A869_A053_467D)
    }
}
