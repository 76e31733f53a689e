import Foundation

/// A member as an evaluation sees it: the profile, the state ingest derived, and the
/// zone and locale already resolved against the config's defaults.
public struct CandidateMember: Sendable {
    public var key: Int64
    public var id: String
    public var profile: MemberProfile
    public var totalSpent: Money
    /// Points not yet expired at the evaluation instant; nil when the trigger needs none.
    public var pointsBalance: Int64?
    public var timeZone: TimeZone
    public var locale: String
    /// Kinds whose address is on the store's suppression list (SPEC 7: recipient-permanent).
    public var suppressedKinds: Set<ChannelKind> = []
    /// Behavioural audience values by `BehaviourMeasure.key` (days, counts, yuan, scores), as
    /// the store measured them for this trigger's audience; a measure the member has no value
    /// for (never bought) is absent.
    public var behaviour: [String: Double] = [:]

    public init(key: Int64, id: String, profile: MemberProfile, totalSpent: Money = Money(fen: 0), pointsBalance: Int64? = nil,
                timeZone: TimeZone, locale: String) {
        self.key = key
        self.id = id
        self.profile = profile
        self.totalSpent = totalSpent
        self.pointsBalance = pointsBalance
        self.timeZone = timeZone
        self.locale = locale
    }

    /// The address a channel kind needs (sms: phone, push: token, email: address, wechat:
    /// openid), nil when none.
    /// A suppressed address is still returned: the policy tells "suppressed" from "none".
    public func address(for kind: ChannelKind) -> String? { profile.address(for: kind) }

    /// An audience field's value at `instant` (SPEC 2.1), or a behavioural measure's by its
    /// key (SPEC 10); nil when the member lacks it.
    /// Money fields are in yuan; `age` is whole years on the member's local date.
    public func audienceValue(_ field: String, at instant: Date) -> FilterFieldValue? {
        switch field {
        case "tier": return profile.tier.map(FilterFieldValue.text)
        case "tags": return .tags(profile.tags)
        case "region": return profile.region.map(FilterFieldValue.text)
        case "registration_channel": return profile.registrationChannel.map(FilterFieldValue.text)
        case "locale": return .text(locale)
        case "stored_value": return profile.storedValue.map { .number(Double($0.fen) / 100) }
        case "total_spent": return .number(Double(totalSpent.fen) / 100)
        case "points_balance": return pointsBalance.map { .number(Double($0)) }
        case "registered_days":
            return profile.registeredAt.map { .number(((instant.timeIntervalSince($0)) / 86_400).rounded(.down)) }
        case "age":
            guard let birthday = profile.birthday, let year = birthday.year else { return nil }
            let today = LocalTime.date(of: instant, in: timeZone)
            let hadBirthday = (today.month, today.day) >= (birthday.month, birthday.day)
            return .number(Double(today.year - year - (hadBirthday ? 0 : 1)))
        default: return behaviour[field].map(FilterFieldValue.number)
        }
    }
}
