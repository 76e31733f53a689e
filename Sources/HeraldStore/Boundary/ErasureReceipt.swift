import Foundation

/// What `members forget` did to one member: enough for the audit log's receipt and the
/// operator's summary, nothing that identifies the member again.
public struct ErasureReceipt: Sendable, Equatable {
    /// SHA-256 of the member id, hex: how the receipt names whom it erased.
    public var memberIDHash: String
    /// Pending sends cancelled (they will not go out).
    public var cancelledSends: Int
    /// Messages whose address and text were cleared (kept as anonymous rows for reports).
    public var clearedMessages: Int
    /// Rows being sent at that instant, left as they are: run `forget` again once they settle.
    public var sendingMessages: Int
    /// Events whose attributes were cleared (type, time and amount stay for reports).
    public var clearedEvents: Int
    /// Addresses put on the suppression list (`--suppress`).
    public var suppressedAddresses: Int

    public init(memberIDHash: String, cancelledSends: Int = 0, clearedMessages: Int = 0, sendingMessages: Int = 0,
                clearedEvents: Int = 0, suppressedAddresses: Int = 0) {
        self.memberIDHash = memberIDHash
        self.cancelledSends = cancelledSends
        self.clearedMessages = clearedMessages
        self.sendingMessages = sendingMessages
        self.clearedEvents = clearedEvents
        self.suppressedAddresses = suppressedAddresses
    }
}
