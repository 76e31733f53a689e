/// One delivery provider: a built-in adapter and its settings (SPEC 7). Written under
/// `providers` with a name, or inline as a channel's entry (then named like the channel).
///
/// Core reads only what routing, limits and costs need; the adapter reads the rest of
/// `entry` itself, with positions, and refuses keys it does not know (`herald validate`).
public struct ProviderConfig: Sendable {
    /// Keys every provider may have besides its adapter's.
    public static let commonKeys = ["adapter", "timeout", "weight", "price_per_segment", "rate_per_second"]

    public var name: String
    /// The `adapter:` value: a name in the delivery module's registry.
    public var adapter: String
    /// The entry as written: the adapter reads its own options from it.
    public var entry: JSONValue
    /// Written inside a channel's entry rather than under `providers`.
    public var isInline: Bool
    /// The whole call (connect, send, answer).
    public var timeout = TimeSpan(seconds: 10)
    /// Its share under `strategy: "weighted"`.
    public var weight = 1.0
    /// Yuan per SMS segment, for costs; nil: not given.
    public var pricePerSegment: Double?
    /// Calls a second to this provider (named providers; an inline one's rate is its channel's).
    public var ratePerSecond: Double?
    public var sourcePath: String
    public var position: SourcePosition?
    /// The folder relative paths in the entry resolve against: the config file's.
    public var baseFolder: String
    /// How messages name the entry when it is neither under `providers` nor a channel's
    /// (`coupon_issuers.crm`, `offer.issuer`).
    public var settingName: String?

    public init(name: String, adapter: String, entry: JSONValue, isInline: Bool, sourcePath: String,
                baseFolder: String) {
        self.name = name
        self.adapter = adapter
        self.entry = entry
        self.isInline = isInline
        self.sourcePath = sourcePath
        self.baseFolder = baseFolder
        position = entry.position
    }
}
