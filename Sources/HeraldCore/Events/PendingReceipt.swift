import Foundation

/// A send a provider accepted that has no receipt yet, for providers asked message by message:
/// what the store hands the receipt puller and the puller hands the provider.
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
