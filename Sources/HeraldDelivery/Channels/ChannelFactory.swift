import Foundation
import HeraldCore

/// Builds the configured channels. Adding an adapter means one new file conforming to
/// `ChannelAdapter`, one line in `adapters`, and its name in `ChannelConfig.Adapter`
/// (so that config validation knows it without importing delivery code).
public enum ChannelFactory {
    public static let adapters: [any ChannelAdapter.Type] = [HTTPChannel.self, LogChannel.self]

    /// Every channel of the config, by name; throws the first problem as a `Diagnostic`.
    public static func makeChannels(_ config: HeraldConfig, context: ChannelContext = ChannelContext())
        throws -> [String: any Channel] {
        var channels: [String: any Channel] = [:]
        for entry in config.channels {
            channels[entry.name] = try adapter(for: entry).make(entry, context: context)
        }
        return channels
    }

    /// What start-up would refuse, without building anything (`herald validate`): problems,
    /// and as warnings the secrets `secrets` does not have (the checking machine may lack them).
    public static func check(_ config: HeraldConfig,
                             secrets: SecretSource) -> (problems: [Diagnostic], warnings: [Diagnostic]) {
        var lenient = secrets
        let absent = AbsentSecrets()
        lenient.absent = absent
        var problems: [Diagnostic] = []
        for entry in config.channels {
            do {
                try adapter(for: entry).check(entry, secrets: lenient)
            } catch let diagnostic as Diagnostic {
                problems.append(diagnostic)
            } catch {
                problems.append(entry.problem(nil, "\(error)"))
            }
        }
        return (problems, absent.warnings)
    }

    /// The values of every secret the channels use, for `ErrorRedactor`.
    public static func secretValues(_ config: HeraldConfig, secrets: SecretSource) -> [String] {
        var names: Set<String> = []
        for entry in config.channels {
            var texts = [entry.url ?? ""] + Array(entry.headers.values)
            if let body = entry.body { texts += strings(in: body) }
            for text in texts { names.formUnion(SecretSource.names(in: text)) }
        }
        return names.sorted().compactMap(secrets.value(named:))
    }

    private static func strings(in value: JSONValue) -> [String] {
        switch value.kind {
        case .string(let text): [text]
        case .array(let items): items.flatMap(strings(in:))
        case .object(let members): members.flatMap { strings(in: $0.value) }
        default: []
        }
    }

    private static func adapter(for entry: ChannelConfig) throws -> any ChannelAdapter.Type {
        guard let adapter = adapters.first(where: { $0.adapter == entry.adapter }) else {
            throw entry.problem("adapter", "no adapter '\(entry.adapter.rawValue)' is built in")
        }
        return adapter
    }
}
