import Foundation
import HeraldCore

/// What a provider reported about one message it accepted.
public struct ProviderReceipt: Sendable, Equatable {
    public var providerID: String
    public var delivered: Bool
    public var at: Date
    /// The provider's status text (`DELIVERED`, `用户短信送达成功`, an error code).
    public var detail: String

    public init(providerID: String, delivered: Bool, at: Date, detail: String) {
        self.providerID = providerID
        self.delivered = delivered
        self.at = at
        self.detail = detail
    }
}
