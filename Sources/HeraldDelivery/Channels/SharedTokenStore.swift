import Foundation

/// An access token a provider issued, and until when it may be used.
public struct SharedToken: Sendable, Equatable {
    public var token: String
    public var expiresAt: Date

    public init(token: String, expiresAt: Date) {
        self.token = token
        self.expiresAt = expiresAt
    }
}

/// Where adapters keep access tokens every worker on the same store shares (WeChat allows
/// 2,000 token requests a day per app, and each new token ends the previous one's life).
/// The worker gives one backed by the store; without one, each adapter keeps its own.
public protocol SharedTokenStore: Sendable {
    func token(for key: String) -> SharedToken?
    func save(_ token: SharedToken, for key: String)
}
