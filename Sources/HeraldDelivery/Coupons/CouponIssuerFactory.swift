import Foundation
import HeraldCore

/// Builds the coupon issuers triggers' offers name, and checks what start-up would refuse
/// (`herald validate`): a `coupon_issuers` entry used by several triggers is built once.
public enum CouponIssuerFactory {
    /// The keys Core reads from an issuer's entry; the adapter reads the rest.
    static let coreKeys = ["adapter", "timeout", SendCodes.issuedCouponLengthOption]
    static let adapterNames = [HTTPCouponIssuer.adapterName, LogCouponIssuer.adapterName]

    /// Each trigger's issuer, by trigger id (triggers without one are absent).
    public static func makeIssuers(_ catalog: Catalog, context: ChannelContext) throws -> [String: any CouponIssuer] {
        var built: [String: any CouponIssuer] = [:]
        var issuers: [String: any CouponIssuer] = [:]
        for trigger in catalog.triggers {
            guard let entry = catalog.couponIssuer(for: trigger) else { continue }
            let key = entry.isInline ? "\(trigger.id)/offer.issuer" : entry.name
            let issuer = try built[key] ?? make(entry, context: context)
            built[key] = issuer
            issuers[trigger.id] = issuer
        }
        return issuers
    }

    /// Problems of every issuer an offer uses (each read once), and of entries no offer uses.
    public static func problems(_ catalog: Catalog, secrets: SecretSource) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        var checked: Set<String> = []
        let inline = catalog.triggers.compactMap { trigger -> ProviderConfig? in
            guard case .inline(let entry)? = trigger.offer?.issuer else { return nil }
            return entry
        }
        for entry in catalog.config.couponIssuers + inline {
            guard entry.isInline || checked.insert(entry.name).inserted else { continue }
            let options = ProviderOptions(entry, allowedKeys: optionKeys(of: entry.adapter), secrets: secrets,
                                          coreKeys: coreKeys)
            switch entry.adapter {
            case HTTPCouponIssuer.adapterName: HTTPCouponIssuer.check(options)
            case LogCouponIssuer.adapterName: LogCouponIssuer.check(options)
            default: problems.append(unknownAdapter(entry))
            }
            problems += options.problems
        }
        return problems
    }

    /// The names of every secret the issuers use (`ErrorRedactor` learns their values).
    public static func secretNames(_ catalog: Catalog) -> Set<String> {
        var names: Set<String> = []
        for trigger in catalog.triggers {
            guard let entry = catalog.couponIssuer(for: trigger) else { continue }
            for text in ProviderOptions.strings(in: entry.entry) { names.formUnion(SecretSource.names(in: text)) }
        }
        return names
    }

    private static func make(_ entry: ProviderConfig, context: ChannelContext) throws -> any CouponIssuer {
        let options = ProviderOptions(entry, allowedKeys: optionKeys(of: entry.adapter), secrets: context.secrets,
                                      coreKeys: coreKeys)
        switch entry.adapter {
        case HTTPCouponIssuer.adapterName: return try HTTPCouponIssuer.make(options, context: context)
        case LogCouponIssuer.adapterName: return try LogCouponIssuer.make(options, context: context)
        default: throw unknownAdapter(entry)
        }
    }

    private static func optionKeys(of adapter: String) -> [String] {
        adapter == LogCouponIssuer.adapterName ? LogCouponIssuer.optionKeys : HTTPCouponIssuer.optionKeys
    }

    private static func unknownAdapter(_ entry: ProviderConfig) -> Diagnostic {
        Diagnostic(file: entry.sourcePath, position: entry.entry["adapter"]?.position ?? entry.position,
                   message: "\(ProviderOptions.settingName(of: entry)).adapter: no coupon issuer '\(entry.adapter)' "
                       + "is built in (expected one of: \(adapterNames.joined(separator: ", ")))")
    }
}
