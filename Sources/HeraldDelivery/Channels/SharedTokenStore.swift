import HeraldCore

/// Where adapters keep access tokens every worker on the same store shares (WeChat allows
/// 2,000 token requests a day per app, and each new token ends the previous one's life).
/// The worker gives one backed by the store; without one, each adapter keeps its own.
public protocol SharedTokenStore: Sendable {
    func token(for key: String) -> SharedToken?
    func save(_ token: SharedToken, for key: String)
}
