import Foundation
import Testing
@testable import HeraldCore

private func decode(_ line: String) -> Result<EventRecord, RowRejection> {
    var line = line
    return line.withUTF8 { bytes in
        Result { () throws(RowRejection) in
            try EventDecoder(defaultTimeZone: TimeZone(identifier: "Asia/Shanghai")!).decode(content: bytes)
        }
    }
}

@Suite struct EventDecoderTests {
    @Test func effectsPerType() throws {
        #expect(try decode(#"{"member_id":"U1","type":"topup","at":"2026-05-01","amount":100,"bonus":"20.5"}"#).get().effect
            == .storedValue(delta: Money(fen: 12_050)))
        #expect(try decode(#"{"member_id":"U1","type":"stored_value_spend","at":"2026-05-01","amount":30}"#).get().effect
            == .storedValue(delta: Money(fen: -3000)))
        #expect(try decode(#"{"member_id":"U1","type":"opt_out","at":"2026-05-01","channel":"sms"}"#).get().effect
            == .consent(channel: .sms, consent: .no))
        #expect(try decode(#"{"member_id":"U1","type":"points_spend","at":"2026-05-01","points":5}"#).get().effect
            == .pointsSpend(points: 5))
        let purchase = try decode(#"{"member_id":7,"type":"purchase","at":"2026-05-01","amount":199.9,"sku":"A","x":{"y":1}}"#).get()
        #expect(purchase.amount == Money(fen: 19_990))
        #expect(purchase.memberID == "7")
        #expect(purchase.sku == "A")
        #expect(try decode(#"{"type":"delivered","at":"2026-05-01","key":"k1"}"#).get().reference == "k1")
    }

    @Test func aTierChangeNamesTheNewTier() throws {
        #expect(try decode(#"{"member_id":"U1","type":"tier_change","at":"2026-05-01","to":"金卡"}"#).get().type == .tierChange)
        guard case .failure(let rejection) = decode(#"{"member_id":"U1","type":"tier_change","at":"2026-05-01","from":"银卡"}"#) else {
            Issue.record("a tier change without 'to' was accepted")
            return
        }
        #expect("\(rejection)".contains("to: missing"))
    }

    @Test func derivedIdsDependOnContentOnly() throws {
        let first = try decode(#"{"member_id":"U1","type":"login","at":"2026-05-01T10:00:00+08:00"}"#).get()
        let again = try decode(#"  {"member_id":"U1","type":"login","at":"2026-05-01T10:00:00+08:00"} "#).get()
        let other = try decode(#"{"member_id":"U1","type":"login","at":"2026-05-01T10:00:01+08:00"}"#).get()
        #expect(first.id == again.id)
        #expect(first.id != other.id)
        #expect(first.id.hasPrefix("h:") && first.id.count == 32)
        // Time first (2026-05-01T02:00:00Z = 0x69f40920), so chronological streams append to the id index.
        #expect(first.id.hasPrefix("h:0069f40920"))
        #expect(first.id < other.id)
        #expect(try decode(#"{"id":"e1","member_id":"U1","type":"login","at":"2026-05-01"}"#).get().id == "e1")
    }

    @Test(arguments: [
        (#"{"member_id":"U1","type":"login","at":"2026-05-01",}"#, "invalid JSON: expected a key after ','"),
        (#"[1,2]"#, "expected a JSON object, found an array"),
        (#"{"type":"login","at":"2026-05-01"}"#, "member_id: missing"),
        (#"{"member_id":"U1","at":"2026-05-01"}"#, "type: missing"),
        (#"{"member_id":"U1","type":"login"}"#, "at: missing"),
        (#"{"member_id":"U1","type":"login","at":"May 1st"}"#, "at: found \"May 1st\""),
        (#"{"member_id":"U1","type":"purchase","at":"2026-05-01"}"#, "amount: missing"),
        (#"{"member_id":"U1","type":"topup","at":"2026-05-01","amount":"-3"}"#, "amount: found \"-3\""),
        (#"{"member_id":"U1","type":"points_earn","at":"2026-05-01","points":10}"#, "expires_at: missing"),
        (#"{"member_id":"U1","type":"points_spend","at":"2026-05-01","points":1.5}"#, "points: found \"1.5\""),
        (#"{"member_id":"U1","type":"opt_out","at":"2026-05-01","channel":"fax"}"#, "channel: found \"fax\""),
        (#"{"member_id":"U1","type":"click","at":"2026-05-01"}"#, "token: missing"),
        (#"{"member_id":"U1","type":"redeem","at":"2026-05-01"}"#, "coupon: missing"),
        (#"{"type":"undelivered","at":"2026-05-01"}"#, "key or provider_id: missing"),
        (#"{"member_id":["U1"],"type":"login","at":"2026-05-01"}"#, "member_id: expected a string, found an array"),
    ])
    func everyRejectReason(line: String, reason: String) {
        guard case .failure(let rejection) = decode(line) else {
            Issue.record("expected a rejection for \(line)")
            return
        }
        #expect(rejection.reason.hasPrefix(reason), "\(rejection.reason)")
    }

    @Test func jsonErrorsCarryTheColumn() {
        guard case .failure(let rejection) = decode(#"  {"member_id": "U1" "type": "x"}"#) else {
            Issue.record("expected a rejection")
            return
        }
        #expect(rejection.column == 22)
    }
}
