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
