import Foundation

/// A provider's access token as the store keeps it (`provider_tokens`), shared by every
/// worker on the store.
public struct SharedStoreToken: Sendable, Equatable {
    public var token: String
    public var expiresAt: Date

    public init(token: String, expiresAt: Date) {
        self.token = token
        self.expiresAt = expiresAt
    }
}
