import Foundation

/// A send a provider accepted whose delivery receipt has not come yet.
public struct SendAwaitingReceipt: Sendable, Equatable {
    public var providerID: String
    public var address: String
    public var sentAt: Date

    public init(providerID: String, address: String, sentAt: Date) {
        self.providerID = providerID
        self.address = address
        self.sentAt = sentAt
    }
}
