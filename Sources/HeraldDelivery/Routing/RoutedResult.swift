import Foundation

/// What a channel's router made of one message: the answer that decides the row, which
/// provider gave it, and every provider call made on the way (failover with the same key).
public struct RoutedResult: Sendable, Equatable {
    public struct ProviderTry: Sendable, Equatable {
        public var provider: String
        public var result: ChannelResult
        public var latency: Duration

        public init(provider: String, result: ChannelResult, latency: Duration) {
            self.provider = provider
            self.result = result
            self.latency = latency
        }
    }

    public var result: ChannelResult
    /// The provider whose answer `result` is; nil when none was called.
    public var provider: String?
    /// In call order; the last one is `provider`'s unless `result` summarises several.
    public var tries: [ProviderTry]

    public init(result: ChannelResult, provider: String?, tries: [ProviderTry]) {
        self.result = result
        self.provider = provider
        self.tries = tries
    }
}
