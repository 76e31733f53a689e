import Foundation
import HeraldCore

/// An adapter whose options read into one `Settings` value: `check` reads them, `make`
/// reads them and builds the adapter from them, throwing the first problem.
public protocol SettingsAdapter: ChannelAdapter {
    associatedtype Settings
    /// Nil when an option is wrong (each problem reported to `options`).
    static func settings(_ options: ProviderOptions) -> Settings?
    init(name: String, settings: Settings, context: ChannelContext)
}

extension SettingsAdapter {
    public static func check(_ options: ProviderOptions) {
        _ = settings(options)
    }

    public static func make(_ options: ProviderOptions, context: ChannelContext) throws -> Self {
        let settings = settings(options)
        try options.throwFirstProblem()
        guard let settings else { throw options.problemDiagnostic(nil, "its options cannot be read") }
        return Self(name: options.name, settings: settings, context: context)
    }
}
