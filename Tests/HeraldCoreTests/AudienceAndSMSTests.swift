import Testing
@testable import HeraldCore

@Suite struct AudienceAndSMSTests {
    /// Expected draws computed independently (Python) from SPEC 2.1's definition.
    @Test func drawsMatchTheSpecDefinition() {
        #expect(AudienceDraw.holdoutDraw(triggerID: "birthday", memberID: "U1") == 0.003431635890974283)
        #expect(AudienceDraw.holdoutDraw(triggerID: "birthday", memberID: "M001") == 0.5690490664637514)
        #expect(AudienceDraw.holdoutDraw(triggerID: "birthday", memberID: "张三") == 0.6234522469300288)
        #expect(AudienceDraw.isHeldOut(triggerID: "birthday", memberID: "U1", share: 0.1))
        #expect(!AudienceDraw.isHeldOut(triggerID: "birthday", memberID: "M001", share: 0.1))
        #expect(AudienceDraw.isHeldOut(triggerID: "birthday", memberID: "M001", share: 0.57))
    }

    @Test func variantsFollowCumulativeWeights() {
        // Variant draws: U1 0.2945…, U2 0.6577…, M001 0.4132…, M002 0.9203…
        #expect(AudienceDraw.variantIndex(triggerID: "birthday", memberID: "U1", weights: [50, 50]) == 0)
        #expect(AudienceDraw.variantIndex(triggerID: "birthday", memberID: "U2", weights: [50, 50]) == 1)
        #expect(AudienceDraw.variantIndex(triggerID: "birthday", memberID: "M001", weights: [30, 70]) == 1)
        #expect(AudienceDraw.variantIndex(triggerID: "birthday", memberID: "M001", weights: [45, 55]) == 0)
        #expect(AudienceDraw.variantIndex(triggerID: "birthday", memberID: "M002", weights: [80, 15, 5]) == 1)
        #expect(AudienceDraw.variantIndex(triggerID: "birthday", memberID: "U1", weights: []) == nil)
    }

    @Test func segmentsForChineseAndASCII() {
        #expect(SMSSegments("").count == 0)
        let ascii = SMSSegments(String(repeating: "a", count: 160))
        #expect(ascii.encoding == .gsm7 && ascii.units == 160 && ascii.count == 1)
        #expect(SMSSegments(String(repeating: "a", count: 161)).count == 2)
        #expect(SMSSegments(String(repeating: "a", count: 306)).count == 2)
        #expect(SMSSegments(String(repeating: "a", count: 307)).count == 3)
        let chinese = SMSSegments(String(repeating: "中", count: 70))
        #expect(chinese.encoding == .ucs2 && chinese.units == 70 && chinese.count == 1)
        #expect(SMSSegments(String(repeating: "中", count: 71)).count == 2)
        #expect(SMSSegments(String(repeating: "中", count: 134)).count == 2)
        #expect(SMSSegments(String(repeating: "中", count: 135)).count == 3)
        // One Chinese character turns the whole text into UCS-2.
        #expect(SMSSegments(String(repeating: "a", count: 69) + "【").count == 1)
        #expect(SMSSegments(String(repeating: "a", count: 70) + "中").count == 2)
        // Extension characters take two septets; emoji two UTF-16 units.
        #expect(SMSSegments(String(repeating: "€", count: 80)).units == 160)
        #expect(SMSSegments(String(repeating: "€", count: 81)).count == 2)
        #expect(SMSSegments("生日快乐🎂").units == 6)
    }
}
