import HeraldCore

/// What a gateway call carries.
public struct ChannelMessage: Sendable {
    public var idempotencyKey: String
    public var channel: String
    public var channelKind: ChannelKind
    /// Phone (E.164), push token or e-mail: goes to the gateway, never to a log.
    public var to: String
    public var title: String?
    public var text: String

    public init(idempotencyKey: String, channel: String, channelKind: ChannelKind, to: String, title: String?, text: String) {
        self.idempotencyKey = idempotencyKey
        self.channel = channel
        self.channelKind = channelKind
        self.to = to
        self.title = title
        self.text = text
    }
}
