import HeraldCore

/// What a gateway call carries.
public struct ChannelMessage: Sendable {
    public var idempotencyKey: String
    public var channel: String
    public var channelKind: ChannelKind
    public var category: Trigger.Category
    /// Phone (E.164), push token or e-mail: goes to the gateway, never to a log.
    public var to: String
    public var title: String?
    /// The rendered local template (signature and opt-out included for SMS).
    public var text: String
    public var segments: Int?
    /// For template-based providers: the mapping file rendered for this send, a JSON object by
    /// provider name (`{"tencent":{"template_id":…,"params":[…]}}`); nil when there is none.
    /// Kept as text: only the adapters that need it parse it (`providerContent`).
    public var providerContentText: String?
    /// E-mail: the HTML rendering, when the template has one.
    public var html: String?
    /// E-mail: the send's one-click unsubscribe URL on the edge (`<links.base>u/<token>`),
    /// when the config has `links.base`.
    public var unsubscribeURL: String?

    public init(idempotencyKey: String, channel: String, channelKind: ChannelKind, category: Trigger.Category = .service,
                to: String, title: String?, text: String, segments: Int? = nil, providerContent: String? = nil,
                html: String? = nil, unsubscribeURL: String? = nil) {
        self.html = html
        self.unsubscribeURL = unsubscribeURL
        self.idempotencyKey = idempotencyKey
        self.channel = channel
        self.channelKind = channelKind
        self.category = category
        self.to = to
        self.title = title
        self.text = text
        self.segments = segments
        providerContentText = providerContent
    }

    /// A provider's part of `providerContent`: its template id (under `idKey`) and its params;
    /// nil when the send carries none for it.
    public func providerTemplate(for provider: String, idKey: String) -> (id: String, params: JSONValue?)? {
        guard let content = providerContent?[provider], let id = content[idKey]?.stringValue else { return nil }
        return (id, content["params"])
    }

    /// `providerContentText` parsed (each call parses: an adapter calls it once); nil when
    /// absent or unreadable (Herald wrote it; the adapter then reports the mapping missing).
    public var providerContent: JSONValue? {
        guard var text = providerContentText else { return nil }
        return text.withUTF8 { try? JSONParser.parse(bytes: $0, dialect: .json) }
    }
}
