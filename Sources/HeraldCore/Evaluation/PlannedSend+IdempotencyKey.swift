extension PlannedSend {
    /// The key every gateway call and retry of this send carries: derived from the occurrence,
    /// so it names the same send whichever worker wrote it.
    public var idempotencyKey: String {
        Self.idempotencyKey(triggerID: triggerID, memberID: memberID, occurrenceKey: occurrenceKey)
    }

    public static func idempotencyKey(triggerID: String, memberID: String, occurrenceKey: String) -> String {
        let hash = FNV1a.hash128("\(triggerID)\u{1F}\(memberID)\u{1F}\(occurrenceKey)".utf8)
        // 32 lowercase hex digits, written directly (String(radix:) on UInt128 is slow).
        let digits = Array("0123456789abcdef".utf8)
        return "hk-" + String(unsafeUninitializedCapacity: 32) { buffer in
            for index in 0..<32 { buffer[index] = digits[Int((hash >> (124 - 4 * index)) & 0xF)] }
            return 32
        }
    }
}
