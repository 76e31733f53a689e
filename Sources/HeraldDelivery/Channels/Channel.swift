import Foundation
import HeraldCore

/// A delivery route: turns one message into one gateway call (SPEC 5). Adapters live one
/// per file under `Channels/` and are listed in `ChannelFactory.adapters`.
public protocol Channel: Sendable {
    var name: String { get }
    /// Never throws: every failure is classified, so the dispatcher knows what to do next.
    func send(_ message: ChannelMessage) async -> ChannelResult
}

/// How an adapter is made from its config entry.
public protocol ChannelAdapter: Channel {
    /// The `adapter:` value in the config.
    static var adapter: ChannelConfig.Adapter { get }
    /// Every check `make` makes, without its side effects (no file opened): `herald validate`
    /// runs this, so what start-up would refuse is reported before start-up. Throws a
    /// `Diagnostic` naming the config file, line and column.
    static func check(_ config: ChannelConfig, secrets: SecretSource) throws
    static func make(_ config: ChannelConfig, context: ChannelContext) throws -> Self
}

/// What every adapter may use besides its own config entry.
public struct ChannelContext: Sendable {
    public var secrets: SecretSource
    public var clock: any WallClock
    public var transport: any HTTPTransport

    public init(secrets: SecretSource = .system, clock: any WallClock = SystemWallClock(),
                transport: any HTTPTransport = CurlTransport.shared) {
        self.secrets = secrets
        self.clock = clock
        self.transport = transport
    }
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

/// A gateway's answer, classified (SPEC 5 and issue 11). Error texts are raw here: the
/// dispatcher reduces them (`ErrorRedactor`) before anything is stored or logged.
public enum ChannelResult: Sendable, Equatable {
    /// 2xx.
    case accepted(providerID: String?, httpStatus: Int?)
    /// 408, 5xx, timeouts, connection errors: retried with backoff, each call an attempt.
    case transient(error: String, httpStatus: Int?, retryAfter: TimeInterval?)
    /// 429 or a provider's throttle code: the channel slows down and the row is deferred
    /// without spending an attempt.
    case throttled(error: String, httpStatus: Int?, retryAfter: TimeInterval?)
    /// The gateway refused this message (other 4xx): no retry.
    case permanent(error: String, httpStatus: Int?)
    /// The channel's own setup is wrong (a redirect, a URL that cannot work): no retry for
    /// this call, and the operator is told the channel needs fixing.
    case misconfigured(error: String, httpStatus: Int?)
    /// The call was abandoned at a shutdown deadline; it may or may not have reached the gateway.
    case cancelled

    public var httpStatus: Int? {
        switch self {
        case .accepted(_, let status), .transient(_, let status, _), .throttled(_, let status, _),
             .permanent(_, let status), .misconfigured(_, let status):
            status
        case .cancelled:
            nil
        }
    }
}

extension ChannelConfig {
    /// A start-up problem of this entry, at the position of `key` (or of the entry).
    public func problem(_ key: String?, _ message: String) -> Diagnostic {
        let position = key.flatMap { positions[$0] } ?? self.position
        let setting = "channels.\(name)" + (key.map { ".\($0)" } ?? "")
        return Diagnostic(file: sourcePath, position: position, message: "\(setting): \(message)")
    }
}
