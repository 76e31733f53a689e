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

    public init(config: HeraldConfig, triggers: [Trigger], templates: [TemplateKey: MessageTemplate]) {
        self.config = config
        self.triggers = triggers.sorted(by: Trigger.evaluationOrder)
        self.templates = templates
    }

    /// The template for a member's locale, else the config's locale (SPEC 1.3 fallback).
    public func template(_ name: String, channel: ChannelKind, locale: String?) -> MessageTemplate? {
        if let locale, let own = templates[TemplateKey(template: name, channel: channel, locale: locale)] { return own }
        return templates[TemplateKey(template: name, channel: channel, locale: config.locale)]
    }

    public func trigger(id: String) -> Trigger? { triggers.first { $0.id == id } }
}
