/// A member's consent for one channel. `unknown` is not `yes`: marketing needs an explicit `yes`.
public enum Consent: String, Sendable, CaseIterable {
    case yes
    case no
    case unknown

    public static let expectedFormat = "yes, no or empty"

    /// Reads `yes` / `no` / empty, and the spellings member systems export for them
    /// (`true`/`false`, `y`/`n`, `1`/`0`, `是`/`否`), case-insensitively.
    public init?(text: String) {
        switch text.lowercased() {
        case "yes", "y", "true", "1", "是": self = .yes
        case "no", "n", "false", "0", "否": self = .no
        case "", "unknown": self = .unknown
        default: return nil
        }
    }

    /// The stored form: `yes`, `no`, or NULL for unknown.
    public var storedValue: String? { self == .unknown ? nil : rawValue }

    /// SPEC 2.1 rule 3: `marketing` needs `yes`; `service` anything but `no`. Planning and
    /// the dispatcher's re-check before each call ask the same question.
    public func allows(_ category: Trigger.Category) -> Bool {
        category == .marketing ? self == .yes : self != .no
    }
}

/// The channels a member can be reached on; each has its own address and consent.
public enum ChannelKind: String, Sendable, CaseIterable {
    case sms
    case push
    case email
    /// WeChat: an official account's template message or a mini-program's subscription
    /// message, to the member's `wechat_openid`.
    case wechat
}
