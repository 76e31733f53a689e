/// Everything an evaluation needs, loaded and cross-checked: the config, the triggers in
/// evaluation order, and the message templates.
public struct Catalog: Sendable {
    public struct TemplateKey: Hashable, Sendable {
        public var template: String
        public var channel: ChannelKind
        public var locale: String

        public init(template: String, channel: ChannelKind, locale: String) {
            self.template = template
            self.channel = channel
            self.locale = locale
        }
    }

    public var config: HeraldConfig
    /// Enabled and disabled, in SPEC 2.1 order (priority descending, then id).
    public var triggers: [Trigger]
    public var templates: [TemplateKey: MessageTemplate]
    /// `<template>/<kind>.providers.json5` files, by template name and channel kind.
    public var providerMappings: [MappingKey: ProviderMapping]

    public struct MappingKey: Hashable, Sendable {
        public var template: String
        public var channel: ChannelKind

        public init(template: String, channel: ChannelKind) {
            self.template = template
            self.channel = channel
        }
    }

    public init(config: HeraldConfig, triggers: [Trigger], templates: [TemplateKey: MessageTemplate],
                providerMappings: [MappingKey: ProviderMapping] = [:]) {
        self.config = config
        self.triggers = triggers.sorted(by: Trigger.evaluationOrder)
        self.templates = templates
        self.providerMappings = providerMappings
    }

    public func providerMapping(_ template: String, channel: ChannelKind) -> ProviderMapping? {
        providerMappings[MappingKey(template: template, channel: channel)]
    }

    /// The template for a member's locale, else the config's locale (SPEC 1.3 fallback).
    public func template(_ name: String, channel: ChannelKind, locale: String?) -> MessageTemplate? {
        if let locale, let own = templates[TemplateKey(template: name, channel: channel, locale: locale)] { return own }
        return templates[TemplateKey(template: name, channel: channel, locale: config.locale)]
    }

    public func trigger(id: String) -> Trigger? { triggers.first { $0.id == id } }

    /// The coupon system a trigger's offer names (nil: none, or a name the config lacks,
    /// which validation reports).
    public func couponIssuer(for trigger: Trigger) -> ProviderConfig? {
        switch trigger.offer?.issuer {
        case .named(let name)?: config.couponIssuers.first { $0.name == name }
        case .inline(let entry)?: entry
        case nil: nil
        }
    }
}

extension Catalog {
    /// The longest coupon code `trigger`'s messages can carry: Herald's own (prefix and 10
    /// characters), or with an issuer, its `max_code_length` (default the same). `validate`
    /// counts SMS segments and provider params with it; the issuer refuses longer codes.
    public func longestCouponCode(for trigger: Trigger) -> Int {
        let own = (trigger.offer?.codePrefix ?? "").count + SendCodes.couponLength
        guard let issued = couponIssuer(for: trigger)?.entry[SendCodes.issuedCouponLengthOption]?.integerValue,
              SendCodes.issuedCouponLengthRange.contains(issued) else { return own }
        return issued
    }

    /// Whether evaluating `trigger` needs each candidate's live points balance (an extra
    /// index probe per member, so only paid for when the audience or a template reads it).
    public func needsPointsBalance(_ trigger: Trigger) -> Bool {
        if trigger.audience?.fields.contains("points_balance") == true { return true }
        return templates.contains { key, template in
            trigger.templateNames.contains(key.template) && template.placeholders.contains { $0.path == "member.points_balance" }
        }
    }
}
