/// The member columns SPEC 1.4 defines, named as in the CSV header and the NDJSON keys.
public enum MemberField: String, CaseIterable, Sendable {
    case id
    case name
    case phone
    case email
    case pushToken = "push_token"
    case wechatOpenID = "wechat_openid"
    case birthday
    case timezone
    case locale
    case tier
    case region
    case registrationChannel = "registration_channel"
    case registeredAt = "registered_at"
    case lastActiveAt = "last_active_at"
    case tags
    case storedValue = "stored_value"
    case consentSMS = "consent_sms"
    case consentPush = "consent_push"
    case consentEmail = "consent_email"
    case consentWeChat = "consent_wechat"

    public static let allNames = allCases.map(\.rawValue).joined(separator: ", ")

    var bit: UInt32 { 1 << UInt32(MemberField.allCases.firstIndex(of: self)!) }
}

/// A set of member fields, small enough to key a cache of prepared statements.
public struct MemberFieldSet: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32

    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    public init(_ fields: some Sequence<MemberField>) {
        self.init(rawValue: fields.reduce(0) { $0 | $1.bit })
    }

    public func contains(_ field: MemberField) -> Bool { rawValue & field.bit != 0 }

    public mutating func insert(_ field: MemberField) { formUnion(MemberFieldSet(rawValue: field.bit)) }

    /// The fields in declaration order.
    public var fields: [MemberField] { MemberField.allCases.filter(contains) }
}
