/// A value a template placeholder can show, typed so that filters can check what they get.
public enum TemplateValue: Sendable, Equatable {
    case text(String)
    case number(Int64)
    case money(Money)
    case date(CivilDate)

    public enum ValueType: String, Sendable {
        case text, number, money, date
    }

    public var type: ValueType {
        switch self {
        case .text: .text
        case .number: .number
        case .money: .money
        case .date: .date
        }
    }

    /// The rendering without filters: money as `12.30`, dates as `2026-03-10`.
    public var plainText: String {
        switch self {
        case .text(let text): text
        case .number(let number): String(number)
        case .money(let money): money.yuanText
        case .date(let date): date.description
        }
    }

    /// Every placeholder path a template may use (SPEC 1.3, plus `event.*`), with its type.
    public static let knownPaths: [String: ValueType] = [
        "member.id": .text, "member.name": .text, "member.tier": .text, "member.stored_value": .money,
        "member.points_balance": .number, "points.expiring": .number, "points.expires_on": .date, "cart.sku": .text,
        "cart.category": .text, "inactive_days": .number, "coupon.code": .text, "coupon.title": .text,
        "coupon.expires_on": .date, "trigger.name": .text, "event.amount": .money, "event.sku": .text,
        "event.category": .text, "link.token": .text,
    ]

    /// What every trigger supplies, whatever its kind. `link.token` is the send's tracked-link
    /// token alone: template-based SMS providers refuse URLs in params, so their approved text
    /// holds the link base and a param carries the token (docs/providers.md).
    public static let commonPaths: Set<String> = [
        "member.id", "member.name", "member.tier", "member.stored_value", "member.points_balance", "trigger.name",
        "link.token",
    ]

    /// What a trigger with an `offer` adds.
    public static let couponPaths: Set<String> = ["coupon.code", "coupon.title", "coupon.expires_on"]

    /// The most characters a value that comes from member data may show; longer ones are cut
    /// and end in `…`. A name of ten thousand characters must not become a 150-segment SMS
    /// (docs/triggers.md lists these limits). Control characters (line breaks, ESC, BEL) are
    /// dropped first: they have no place in a message.
    public static let memberTextLimits: [String: Int] = [
        "member.id": 32, "member.name": 20, "member.tier": 10, "cart.sku": 32, "cart.category": 16,
        "event.sku": 32, "event.category": 16,
    ]

    /// `values` with each member-supplied text cut at its limit (`memberTextLimits`).
    public static func clipped(_ values: [String: TemplateValue]) -> [String: TemplateValue] {
        var clipped = values
        for (path, limit) in memberTextLimits {
            guard case .text(let text)? = values[path] else { continue }
            clipped[path] = .text(clip(text, to: limit))
        }
        return clipped
    }

    /// `text` on one line without control characters, cut to `limit` characters ending in `…`.
    public static func clip(_ text: String, to limit: Int) -> String {
        let plain = SensitiveText.withoutControlCharacters(text, keepingNewlines: false)
        return plain.count > limit ? String(plain.prefix(limit - 1)) + "…" : plain
    }
}
