import Foundation
import HeraldCore

/// The adapter registry: builds every channel's providers and router, and checks what
/// start-up would refuse (`herald validate`). Adding an adapter is one file conforming to
/// `ChannelAdapter` and one line in `adapters`.
public enum ChannelFactory {
    public static let adapters: [any ChannelAdapter.Type] = [
        HTTPChannel.self, LogChannel.self, TencentSMSChannel.self, AliyunSMSChannel.self, SMTPEmailChannel.self,
        WeChatMiniProgramChannel.self, WeChatOfficialAccountChannel.self, APNsChannel.self, FCMChannel.self,
    ]

    public static func adapter(named name: String) -> (any ChannelAdapter.Type)? {
        adapters.first { $0.adapterName == name }
    }

    /// Every channel's router, by channel name; throws the first problem as a `Diagnostic`.
    /// A provider several channels use is built once (its rate limit is kept per channel).
    /// `wrap` lets tests observe each provider's calls.
    public static func makeRouters(_ config: HeraldConfig, context: ChannelContext = ChannelContext(),
                                   wrap: (any Channel) -> any Channel = { $0 }) throws -> [String: ProviderRouter] {
        // Each provider's options are read (and their first problem thrown) by `make`.
        if let first = configProblems(config, secrets: context.secrets, readingOptions: false).first { throw first }
        var built: [String: any Channel] = [:]
        var routers: [String: ProviderRouter] = [:]
        for channel in config.channels {
            var providers: [ProviderRouter.Provider] = []
            for provider in channel.providers {
                let made = try built[provider.name] ?? wrap(make(provider, context: context))
                if !provider.isInline { built[provider.name] = made }
                providers.append(ProviderRouter.Provider(channel: made, weight: provider.weight,
                                                         pricePerSegment: provider.pricePerSegment,
                                                         ratePerSecond: provider.ratePerSecond))
            }
            routers[channel.name] = ProviderRouter(channel: channel.name, providers: providers,
                                                   strategy: channel.strategy,
                                                   circuit: channel.isInline ? nil : channel.circuit,
                                                   clock: context.clock)
        }
        return routers
    }

    private static func make(_ provider: ProviderConfig, context: ChannelContext) throws -> any Channel {
        guard let adapter = adapter(named: provider.adapter) else { throw unknownAdapter(provider) }
        let options = ProviderOptions(provider, allowedKeys: adapter.optionKeys, secrets: context.secrets)
        return try adapter.make(options, context: context)
    }

    /// What start-up would refuse, without building anything (`herald validate`): problems
    /// of the providers' options, of the channels' adapters, of the template mappings and of
    /// the coupon issuers; as warnings, the secrets `secrets` does not have (the checking
    /// machine may lack them).
    public static func check(_ catalog: Catalog, secrets: SecretSource)
        -> (problems: [Diagnostic], warnings: [Diagnostic]) {
        leniently(secrets) { lenient in
            configProblems(catalog.config, secrets: lenient) + mappingProblems(catalog)
                + CouponIssuerFactory.problems(catalog, secrets: lenient)
        }
    }

    /// The same for a config alone (its triggers or templates did not load).
    public static func check(_ config: HeraldConfig, secrets: SecretSource)
        -> (problems: [Diagnostic], warnings: [Diagnostic]) {
        leniently(secrets) { configProblems(config, secrets: $0) }
    }

    /// `problems` read with secrets that note what is missing instead of failing on it.
    private static func leniently(_ secrets: SecretSource, _ problems: (SecretSource) -> [Diagnostic])
        -> (problems: [Diagnostic], warnings: [Diagnostic]) {
        var lenient = secrets
        let absent = AbsentSecrets()
        lenient.absent = absent
        return (problems(lenient), absent.warnings)
    }

    /// Problems of which adapter each channel uses and, when `readingOptions`, of each
    /// provider's options (each provider read once).
    public static func configProblems(_ config: HeraldConfig, secrets: SecretSource,
                                      readingOptions: Bool = true) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        var checked: Set<String> = []
        for channel in config.channels {
            // A push token belongs to one platform and an openid to one app: a failover between
            // them would answer "bad address" and suppress it instead of trying the next.
            let bound = Set(channel.providers.map(\.adapter).filter(Self.addressBoundAdapters.contains))
            if bound.count > 1 {
                problems.append(Diagnostic(file: channel.sourcePath, position: channel.positions["providers"] ?? channel.position,
                                           message: "channels.\(channel.name): \(bound.sorted().joined(separator: " and ")) "
                                               + "reach different addresses (a push token is one platform's, an openid one "
                                               + "app's); give each its own channel"))
            }
            for provider in channel.providers {
                guard let adapter = adapter(named: provider.adapter) else {
                    if checked.insert(provider.name).inserted { problems.append(unknownAdapter(provider)) }
                    continue
                }
                if !adapter.kinds.contains(channel.kind) {
                    let kinds = adapter.kinds.map(\.rawValue).sorted().joined(separator: ", ")
                    problems.append(Diagnostic(file: channel.sourcePath,
                                               position: channel.positions["providers"] ?? channel.position,
                                               message: "channels.\(channel.name): provider '\(provider.name)' "
                                                   + "(\(provider.adapter)) delivers \(kinds), not \(channel.kind.rawValue)"))
                }
                guard readingOptions, checked.insert(provider.name).inserted else { continue }
                let options = ProviderOptions(provider, allowedKeys: adapter.optionKeys, secrets: secrets)
                adapter.check(options)
                problems += options.problems
            }
        }
        return problems
    }

    /// Adapters whose addresses exist for them alone (APNs or FCM tokens, one app's openids).
    static let addressBoundAdapters: Set<String> = ["apns", "fcm", "wechat_mp", "wechat_oa"]

    /// Every trigger that can reach a template-based provider has a mapping entry for it, of
    /// the shape the adapter needs, with params within the provider's documented limits.
    public static func mappingProblems(_ catalog: Catalog) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        for channel in catalog.config.channels {
            for provider in channel.providers {
                guard let rules = adapter(named: provider.adapter)?.mapping else { continue }
                let maxLength = provider.entry[ProviderMappingRules.lengthOption]?.integerValue
                    .flatMap { ProviderMappingRules.lengthRange.contains($0) ? $0 : nil } ?? rules.maxParamLength
                for trigger in catalog.triggers where trigger.channels.contains(channel.name) {
                    for name in trigger.templateNames {
                        let mapping = catalog.providerMapping(name, channel: channel.kind)
                        guard let mapping, let entry = mapping.entry(for: provider.name) else {
                            let file = ((catalog.config.templatesFolder as NSString).appendingPathComponent(name)
                                        as NSString).appendingPathComponent("\(channel.kind.rawValue).providers.json5")
                            problems.append(Diagnostic(
                                file: trigger.sourcePath, position: trigger.positions["template"],
                                message: "template '\(name)' has no mapping for provider '\(provider.name)', which "
                                    + "channel \(channel.name) sends through: expected \(file) with \(provider.name): "
                                    + "{ \(rules.idKey): \"…\", params: … }"))
                            continue
                        }
                        problems += rules.problems(of: entry, in: mapping, trigger: trigger, maxLength: maxLength,
                                                   couponCodeLength: catalog.longestCouponCode(for: trigger))
                    }
                }
            }
        }
        var seen: Set<Diagnostic> = []
        return problems.filter { seen.insert($0).inserted }
    }

    /// The values of every secret the providers use, for `ErrorRedactor`.
    public static func secretValues(_ config: HeraldConfig, secrets: SecretSource) -> [String] {
        secretNames(config).sorted().compactMap(secrets.value(named:))
    }

    /// The same with the secrets of the catalog's coupon issuers.
    public static func secretValues(_ catalog: Catalog, secrets: SecretSource) -> [String] {
        secretNames(catalog.config).union(CouponIssuerFactory.secretNames(catalog)).sorted()
            .compactMap(secrets.value(named:))
    }

    private static func secretNames(_ config: HeraldConfig) -> Set<String> {
        var names: Set<String> = []
        for provider in config.channels.flatMap(\.providers) {
            for text in ProviderOptions.strings(in: provider.entry) { names.formUnion(SecretSource.names(in: text)) }
        }
        return names
    }

    private static func unknownAdapter(_ provider: ProviderConfig) -> Diagnostic {
        let setting = ProviderOptions.settingName(of: provider)
        let known = adapters.map { $0.adapterName }.joined(separator: ", ")
        return Diagnostic(file: provider.sourcePath, position: provider.entry["adapter"]?.position ?? provider.position,
                          message: "\(setting).adapter: no adapter '\(provider.adapter)' is built in (expected one of: "
                              + "\(known))")
    }
}
