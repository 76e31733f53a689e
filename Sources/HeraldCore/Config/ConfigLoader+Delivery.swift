import Foundation

/// `providers`, `coupon_issuers` and `channels` (SPEC 5 and 7). Core reads what routing, limits and costs
/// need; each provider's own options are read, and unknown keys refused, by its adapter.
extension ConfigLoader {
    static func readDelivery(_ reader: JSONObjectReader, into config: inout HeraldConfig) {
        let folder = URL(fileURLWithPath: reader.file).deletingLastPathComponent().path
        config.providers = readNamedEntries("providers", of: reader, folder: folder)
        config.couponIssuers = readNamedEntries("coupon_issuers", of: reader, folder: folder)
        if let channels = reader.object("channels", allowedKeys: []) {
            config.channels = channels.keys.compactMap { readChannel(named: $0, in: channels, config: config, folder: folder) }
        }
    }

    /// `providers` or `coupon_issuers`: adapter entries by name.
    private static func readNamedEntries(_ key: String, of reader: JSONObjectReader, folder: String) -> [ProviderConfig] {
        guard let entries = reader.object(key, allowedKeys: []) else { return [] }
        var read: [ProviderConfig] = []
        for name in entries.keys {
            guard let value = entries[name] else { continue }
            guard TriggerLoader.isValidID(name) else {
                entries.problem(at: entries.keyPosition(name),
                                "\(key): the name '\(name)' may hold lowercase letters, digits, '_' and '-' only")
                continue
            }
            guard var entry = readProvider(named: name, value, in: entries, isInline: false, folder: folder) else { continue }
            if key != "providers" { entry.settingName = "\(key).\(name)" }
            read.append(entry)
        }
        return read
    }

    /// The keys Core reads from a provider's entry; nil when it has no usable `adapter`
    /// (absent, `defaultAdapter` when given).
    static func readProvider(named name: String, _ value: JSONValue, in parent: JSONObjectReader, isInline: Bool,
                             folder: String, defaultAdapter: String? = nil) -> ProviderConfig? {
        // No unknown-key check here: the adapter knows its keys (ChannelFactory.check).
        guard let entry = JSONObjectReader(value, file: parent.file, path: parent.name(name), allowedKeys: [],
                                           log: parent.log),
              let adapter = entry.string("adapter", required: defaultAdapter == nil) ?? defaultAdapter else { return nil }
        var provider = ProviderConfig(name: name, adapter: adapter, entry: value, isInline: isInline,
                                      sourcePath: parent.file, baseFolder: folder)
        if let timeout = entry.timeSpan("timeout", in: SettingRange.channelTimeout) { provider.timeout = timeout }
        if let weight = entry.number("weight", in: SettingRange.providerWeight) { provider.weight = weight }
        provider.pricePerSegment = entry.number("price_per_segment", in: SettingRange.pricePerSegment)
        if !isInline { provider.ratePerSecond = entry.number("rate_per_second", in: SettingRange.ratePerSecond) }
        return provider
    }

    private static func readChannel(named name: String, in channels: JSONObjectReader, config: HeraldConfig,
                                    folder: String) -> ChannelConfig? {
        guard let value = channels[name] else { return nil }
        guard let kind = ChannelConfig.kind(ofName: name) else {
            channels.problem(at: channels.keyPosition(name), "channels: the name '\(name)' must say its kind: sms, push, "
                                 + "email or wechat (alone or followed by _name, e.g. sms_backup)")
            return nil
        }
        let routes = value["providers"] != nil
        guard let entry = JSONObjectReader(value, file: channels.file, path: channels.name(name),
                                           allowedKeys: routes ? ChannelConfig.routingKeys : [], log: channels.log)
        else { return nil }
        var channel = ChannelConfig(name: name, kind: kind, providers: [])
        channel.sourcePath = channels.file
        channel.position = channels.keyPosition(name)
        for key in entry.keys { channel.positions[key] = entry[key]?.position }
        channel.concurrency = entry.integer("concurrency", in: SettingRange.concurrency)
        channel.ratePerSecond = entry.number("rate_per_second", in: SettingRange.ratePerSecond)
        guard routes else {
            if value["adapter"] == nil {
                entry.missing("adapter", "an adapter name, or providers: [\"…\"]")
                return nil
            }
            guard let provider = readProvider(named: name, value, in: channels, isInline: true, folder: folder)
            else { return nil }
            channel.providers = [provider]
            return channel
        }
        entry.finish()
        readRouting(entry, into: &channel, config: config)
        return channel.providers.isEmpty ? nil : channel
    }

    private static func readRouting(_ entry: JSONObjectReader, into channel: inout ChannelConfig, config: HeraldConfig) {
        let names = entry.strings("providers", required: true, nonEmpty: true) ?? []
        for name in names {
            if let provider = config.providers.first(where: { $0.name == name }) {
                channel.providers.append(provider)
            } else {
                let known = config.providers.map(\.name)
                entry.problem(at: entry["providers"]!.position, "\(entry.name("providers")): '\(name)' is not defined "
                                  + "under providers (defined: \(known.isEmpty ? "none" : known.joined(separator: ", ")))")
            }
        }
        if let strategy = entry.string("strategy") {
            if let known = ChannelConfig.Strategy(rawValue: strategy) { channel.strategy = known }
            else { entry.expected("strategy", "failover or weighted", found: entry["strategy"]!) }
        }
        if let circuit = entry.object("circuit", allowedKeys: CircuitSettings.keys) {
            circuit.finish()
            if let failures = circuit.integer("failures", in: SettingRange.circuitFailures) {
                channel.circuit.failures = failures
            }
            if let wait = circuit.timeSpan("half_open_after", in: SettingRange.circuitHalfOpen) {
                channel.circuit.halfOpenAfter = wait
            }
        }
    }
}
