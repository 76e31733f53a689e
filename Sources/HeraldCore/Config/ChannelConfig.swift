/// One entry of `channels`: a named delivery route (SPEC 5 and 7). It reaches its members
/// through one provider written inline (`sms: { adapter: "http", url: … }`) or through named
/// `providers` tried by a strategy.
///
/// The name says which address and consent it uses: `sms`, `push`, `email`, or one of those
/// followed by `_` or `-` and anything (`sms_backup`).
public struct ChannelConfig: Sendable {
    public enum Strategy: String, Sendable {
        /// In the order listed, skipping providers whose circuit is open.
        case failover
        /// Spread by each provider's `weight`, with the same circuit rules.
        case weighted
    }

    /// Keys of a channel that routes over named providers.
    public static let routingKeys = ["providers", "strategy", "concurrency", "rate_per_second", "circuit"]
    /// Keys of a channel, besides its adapter's, when its provider is written inline.
    public static let inlineKeys = ["concurrency", "rate_per_second"]

    public var name: String
    public var kind: ChannelKind
    /// In order of preference; one for an inline channel (named like the channel).
    public var providers: [ProviderConfig]
    public var strategy = Strategy.failover
    public var concurrency: Int?
    /// Calls a second over all its providers; nil: unlimited.
    public var ratePerSecond: Double?
    public var circuit = CircuitSettings()
    /// Where the entry was written, for start-up errors with file:line:column.
    public var sourcePath = ""
    public var position: SourcePosition?
    /// Positions of the entry's values by key.
    public var positions: [String: SourcePosition] = [:]

    public init(name: String, kind: ChannelKind, providers: [ProviderConfig]) {
        self.name = name
        self.kind = kind
        self.providers = providers
    }

    /// What a segment is expected to cost, in yuan (preview's estimate): the first provider's
    /// price under failover, the weight-averaged price under weighted; nil when a provider
    /// that would be used has no price.
    public var expectedPricePerSegment: Double? {
        switch strategy {
        case .failover:
            return providers.first?.pricePerSegment
        case .weighted:
            let total = providers.reduce(0) { $0 + $1.weight }
            guard total > 0, providers.allSatisfy({ $0.pricePerSegment != nil }) else { return nil }
            return providers.reduce(0) { $0 + $1.weight * ($1.pricePerSegment ?? 0) } / total
        }
    }

    /// Whether its provider was written inside the channel's own entry.
    public var isInline: Bool { providers.count == 1 && providers[0].isInline }

    /// The kind a channel name implies, nil when it names none.
    public static func kind(ofName name: String) -> ChannelKind? {
        ChannelKind.allCases.first {
            name == $0.rawValue || name.hasPrefix($0.rawValue + "_") || name.hasPrefix($0.rawValue + "-")
        }
    }
}
