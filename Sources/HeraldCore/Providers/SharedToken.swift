import Foundation

/// An access token a provider issued, and until when it may be used: what the WeChat
/// adapters keep, and the store keeps for every worker (`provider_tokens`).
public struct SharedToken: Sendable, Equatable {
    public var token: String
    public var expiresAt: Date

    public init(token: String, expiresAt: Date) {
        self.token = token
        self.expiresAt = expiresAt
    }
}
