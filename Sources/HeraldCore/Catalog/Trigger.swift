import Foundation

/// One marketer-defined trigger (SPEC 1.2), as loaded from `Triggers/<file>.json5` and checked.
public struct Trigger: Sendable {
    public enum Category: String, Sendable {
        /// Needs explicit consent, respects quiet hours and the global caps.
        case marketing
        /// Transactional: sent unless consent is explicitly `no`; no quiet hours, no global caps.
        case service
    }

    /// An A/B arm: a template and its share.
    public struct Variant: Sendable, Equatable {
        public var id: String
        public var template: String
        public var weight: Double
    }

    /// A coupon issued with each send.
    public struct Offer: Sendable {
        public var codePrefix: String
        public var title: String
        public var validDays: Int
        /// The coupon system told of each send's coupon before its message goes out; nil:
        /// Herald's generated code is the coupon (the marketer's system learns it from the report).
        public var issuer: Issuer?

        public enum Issuer: Sendable {
            /// A `coupon_issuers` entry of the config.
            case named(String)
            /// Written in the trigger itself (`issuer: { url, headers, body }`).
            case inline(ProviderConfig)
        }
    }

    public var id: String
    public var name: String
    public var enabled: Bool
    public var kind: TriggerKind
    public var audience: FilterExpression?
    /// The behavioural measures the audience reads (SPEC 10), each once.
    public var measures: [BehaviourMeasure] { audience?.measures ?? [] }
    /// Channel names from the config; the first reachable and consented one wins, unless
    /// `deliver` is `all`.
    public var channels: [String]
    /// `first` [default]: one channel, the first reachable and consented (the later ones are
    /// its fallbacks). `all`: every reachable and consented channel, as one occurrence — one
    /// coupon and link token, one cap unit — with a message on each ("短信+推送组合").
    public var deliver: Delivery = .first

    public enum Delivery: String, Sendable {
        case first
        case all
    }
    public var template: String
    /// Hours and days from the file; quiet hours are added per category by `sendWindow(quietHours:)`.
    public var window: SendWindow
    public var category: Category
    public var priority: Int
    public var cooldown: TimeSpan?
    /// Share of eligible members kept as a control group, in [0, 1).
    public var holdout: Double
    public var variants: [Variant]
    public var offer: Offer?
    public var expire: TimeSpan?
    public var attribution: TimeSpan?
    /// What the trigger is for, when the marketer said (the report's conversions and revenue).
    public var goal: TriggerGoal?
    public var sourcePath: String
    /// Where each top-level key's value stands in the file, for cross-file messages.
    public var positions: [String: SourcePosition] = [:]

    public init(id: String, name: String, kind: TriggerKind, channels: [String], template: String,
                category: Category = .marketing, sourcePath: String = "") {
        self.id = id
        self.name = name
        self.enabled = true
        self.kind = kind
        self.channels = channels
        self.template = template
        self.window = SendWindow()
        self.category = category
        self.priority = 0
        self.holdout = 0
        self.variants = []
        self.sourcePath = sourcePath
    }

    /// The window sends are scheduled in: marketing sends also stay out of quiet hours.
    public func sendWindow(quietHours: LocalTimeRange?) -> SendWindow {
        var effective = window
        effective.quietHours = category == .marketing ? quietHours : nil
        return effective
    }

    /// How long after a send (or a held-out member's would-be send) a purchase counts towards
    /// lift: `attribution`, else the offer's validity, else 7 days (SPEC 6).
    public var attributionWindow: TimeSpan {
        attribution ?? offer.map { TimeSpan(seconds: Int64($0.validDays) * 86_400) } ?? TimeSpan(seconds: 7 * 86_400)
    }

    /// Every template the trigger may render: its own and its variants'.
    public var templateNames: [String] {
        var names = [template]
        for variant in variants where !names.contains(variant.template) { names.append(variant.template) }
        return names
    }

    /// Orders triggers as SPEC 2.1 evaluates them: higher priority first, then id.
    public static func evaluationOrder(_ lhs: Trigger, _ rhs: Trigger) -> Bool {
        lhs.priority != rhs.priority ? lhs.priority > rhs.priority : lhs.id < rhs.id
    }
}
