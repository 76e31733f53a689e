import HeraldCore

/// Where a member's address and consent for each channel kind live in `members`: the one list
/// for every statement that reads them all (the suppression probe, erasure, export, the
/// import's suppression guard).
struct AddressColumn: Sendable {
    let kind: ChannelKind
    let address: String
    let consent: String
    let addressField: MemberField
    let consentField: MemberField

    static let all: [AddressColumn] = [
        AddressColumn(kind: .sms, address: "phone", consent: "consent_sms", addressField: .phone,
                      consentField: .consentSMS),
        AddressColumn(kind: .email, address: "email", consent: "consent_email", addressField: .email,
                      consentField: .consentEmail),
        AddressColumn(kind: .push, address: "push_token", consent: "consent_push", addressField: .pushToken,
                      consentField: .consentPush),
        AddressColumn(kind: .wechat, address: "wechat_openid", consent: "consent_wechat", addressField: .wechatOpenID,
                      consentField: .consentWeChat),
    ]

    /// The address columns as a list for SQL (`m.phone, m.email, …`).
    static func addressList(of table: String) -> String {
        all.map { "\(table).\($0.address)" }.joined(separator: ", ")
    }
}
