import Foundation
import HeraldCore

/// One entry of the address suppression list: an address nothing is sent to, whoever's
/// member record carries it — put there by a provider (recipient-permanent), an opt-out
/// reply, or an operator (`herald suppress add`).
public struct AddressSuppression: Sendable, Equatable {
    public var address: SuppressibleAddress
    /// Why, in words: the provider's (redacted), the reply's keyword, or the operator's.
    public var reason: String
    /// The provider that reported it or took the reply; nil when an operator added it.
    public var provider: String?
    public var createdAt: Date

    public init(address: SuppressibleAddress, reason: String, provider: String?, createdAt: Date) {
        self.address = address
        self.reason = reason
        self.provider = provider
        self.createdAt = createdAt
    }
}
