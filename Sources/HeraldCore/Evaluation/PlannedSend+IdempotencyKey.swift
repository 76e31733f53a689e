extension PlannedSend {
    /// The key every gateway call and retry of this send carries: derived from the occurrence,
    /// so it names the same send whichever worker wrote it.
    public var idempotencyKey: String {
        Self.idempotencyKey(triggerID: triggerID, memberID: memberID, occurrenceKey: occurrenceKey)
    }

    public static func idempotencyKey(triggerID: String, memberID: String, occurrenceKey: String) -> String {
        let hash = FNV1a.hash128("\(triggerID)\u{1F}\(memberID)\u{1F}\(occurrenceKey)".utf8)
        return "hk-" + String(hash, radix: 16).leftPadded(to: 32)
    }
}
