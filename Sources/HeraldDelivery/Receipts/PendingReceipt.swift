import Foundation
import HeraldCore

/// A send a provider accepted that has no receipt yet, for providers asked message by message.
public struct PendingReceipt: Sendable, Equatable {
    public var providerID: String
    /// Never logged.
    public var address: String
    public var sentAt: Date

    public init(providerID: String, address: String, sentAt: Date) {
        self.providerID = providerID
        self.address = address
        self.sentAt = sentAt
    }
}
