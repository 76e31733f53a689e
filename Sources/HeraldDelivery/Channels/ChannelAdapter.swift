import Foundation
import HeraldCore

/// How an adapter is made from its config entry. Adding an adapter is one file conforming
/// to this and one line in `ChannelFactory.adapters`; Core knows no adapter names.
public protocol ChannelAdapter: Channel {
    /// The `adapter:` value in the config.
    static var adapterName: String { get }
    /// The keys of its own options (besides `ProviderConfig.commonKeys`).
    static var optionKeys: [String] { get }
    /// The channel kinds it can deliver.
    static var kinds: Set<ChannelKind> { get }
    /// What it needs from `MessageTemplates/<template>/<kind>.providers.json5`; nil when it
    /// sends the rendered local text.
    static var mapping: ProviderMappingRules? { get }
    /// Reads and checks every option, with no side effect (no file opened, no connection):
    /// `herald validate` runs this, so what start-up would refuse is reported before
    /// start-up. Problems go to `options`.
    static func check(_ options: ProviderOptions)
    /// Builds it; throws the first problem `check` would report, as a `Diagnostic`.
    static func make(_ options: ProviderOptions, context: ChannelContext) throws -> Self
}

extension ChannelAdapter {
    public static var mapping: ProviderMappingRules? { nil }
}
