import Foundation

/// What the member system says about a member (SPEC 1.4), apart from the id: one shape for
/// a row being imported and for a member read back from the store.
public struct MemberProfile: Sendable, Equatable {
    public var name: String?
    public var phone: PhoneNumber?
    public var email: String?
    public var pushToken: String?
    /// The member's openid for the configured official account or mini-program.
    public var wechatOpenID: String?
    public var birthday: Birthday?
    /// The member's own IANA zone; nil means the config's default.
    public var timeZone: String?
    public var locale: String?
    public var tier: String?
    public var region: String?
    public var registrationChannel: String?
    public var registeredAt: Date?
    public var lastActiveAt: Date?
    /// Sorted, without duplicates, so that the same tags in another order are the same profile.
    public var tags: [String] = []
    /// Nil: no stored-value account.
    public var storedValue: Money?
    /// A channel missing here is `unknown`.
    public var consents: [ChannelKind: Consent] = [:]

    public init() {}

    public func consent(for channel: ChannelKind) -> Consent { consents[channel] ?? .unknown }

    /// Tags as stored on the member row (`a;b;c`); nil when none.
    public var tagsText: String? { tags.isEmpty ? nil : tags.joined(separator: ";") }
}

extension MemberProfile {
    /// The address a channel kind needs (sms: phone as E.164, push: token, email: address,
    /// wechat: openid), nil when none.
    public func address(for kind: ChannelKind) -> String? {
        switch kind {
        case .sms: phone?.e164
        case .push: pushToken.flatMap { $0.isEmpty ? nil : $0 }
        case .email: email.flatMap { $0.isEmpty ? nil : $0 }
        case .wechat: wechatOpenID.flatMap { $0.isEmpty ? nil : $0 }
        }
    }
}
