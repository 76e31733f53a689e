import Foundation
import HeraldCore

/// A delivery route: turns one message into one gateway call (SPEC 5). Adapters live one
/// per file under `Channels/` and are listed in `ChannelFactory.adapters`.
public protocol Channel: Sendable {
    var name: String { get }
    /// Never throws: every failure is classified, so the dispatcher knows whether to retry.
    func send(_ message: ChannelMessage) async -> ChannelResult
}

/// How an adapter is made from its config entry.
public protocol ChannelAdapter: Channel {
    /// The `adapter:` value in the config.
    static var adapter: ChannelConfig.Adapter { get }
    static func make(_ config: ChannelConfig, secrets: SecretSource, clock: any WallClock) throws -> Self
}

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

/// A gateway's answer, classified (SPEC 5): 2xx accepted; 429, 5xx, timeouts and
/// connection errors transient; any other 4xx permanent.
public enum ChannelResult: Sendable, Equatable {
    case accepted(providerID: String?, httpStatus: Int?)
    case transient(error: String, httpStatus: Int?, retryAfter: TimeInterval?)
    case permanent(error: String, httpStatus: Int?)

    public var httpStatus: Int? {
        switch self {
        case .accepted(_, let status), .transient(_, let status, _), .permanent(_, let status): status
        }
    }
}

/// A channel entry that cannot become a working channel (missing URL, missing secret).
public struct ChannelSetupError: Error, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
