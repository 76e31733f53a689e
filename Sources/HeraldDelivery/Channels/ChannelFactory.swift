import Foundation
import HeraldCore

/// Builds the configured channels. Adding an adapter means one new file conforming to
/// `ChannelAdapter`, one line in `adapters`, and its name in `ChannelConfig.Adapter`
/// (so that config validation knows it without importing delivery code).
public enum ChannelFactory {
    public static let adapters: [any ChannelAdapter.Type] = [HTTPChannel.self, LogChannel.self]

    /// Every channel of the config, by name; throws the first that cannot be built.
    public static func makeChannels(_ config: HeraldConfig, secrets: SecretSource = .system,
                                    clock: any WallClock = SystemWallClock()) throws -> [String: any Channel] {
        var channels: [String: any Channel] = [:]
        for entry in config.channels {
            guard let adapter = adapters.first(where: { $0.adapter == entry.adapter }) else {
                throw ChannelSetupError("channel \(entry.name): no adapter '\(entry.adapter.rawValue)' is built in")
            }
            channels[entry.name] = try adapter.make(entry, secrets: secrets, clock: clock)
        }
        return channels
    }
}
