import Foundation
import HeraldCore

/// One provider: turns one message into one gateway call (SPEC 5 and 7). Never throws:
/// every failure is classified, so the router and the dispatcher know what to do next.
public protocol Channel: Sendable {
    /// The provider's name (`tencent`; an inline provider is named like its channel).
    var name: String { get }
    func send(_ message: ChannelMessage) async -> ChannelResult
}
