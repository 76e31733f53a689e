import Foundation

/// An address as an operator types it for the suppression list (`herald suppress`), in the
/// form the store keeps it, so that the list matches members and outbox rows exactly: a
/// phone in any form import accepts (kept as E.164), an e-mail as written, a WeChat openid,
/// or — named with its kind, since nothing tells one apart — a push token.
public struct SuppressibleAddress: Hashable, Sendable {
    public let kind: ChannelKind
    public let address: String

    /// For every output: masked as addresses are everywhere else.
    public var masked: String { AddressMask.masked(address, kind: kind) }

    public struct Problem: Error, CustomStringConvertible {
        public let description: String
    }

    /// `kind` nil: told apart by shape — a phone number, an e-mail (an `@`), a push token (64 or
    /// more hexadecimal digits, as APNs gives, or longer than any openid, as FCM's), else an openid.
    public init(parsing text: String, kind: ChannelKind? = nil) throws(Problem) {
        let text = text.trimmingCharacters(in: .whitespaces)
        let shown = SensitiveText.shortened(AddressMask.masked(text, kind: text.contains("@") ? .email : .sms))
        switch kind ?? Self.guessedKind(of: text) {
        case .sms:
            guard let phone = PhoneNumber(text) else {
                throw Problem(description: "'\(shown)' is not a phone number: expected \(PhoneNumber.expectedFormat)")
            }
            self.init(kind: .sms, address: phone.e164)
        case .email:
            guard MemberRecordDecoder.isPlausibleEmail(text) else {
                throw Problem(description: "'\(shown)' is not an e-mail address: expected one like name@example.cn")
            }
            self.init(kind: .email, address: text)
        case .wechat:
            guard MemberRecordDecoder.isPlausibleOpenID(text) else {
                throw Problem(description: "'\(SensitiveText.shortened(AddressMask.masked(text, kind: .wechat)))' is not a phone number, an "
                    + "e-mail address or an openid (6 to 64 letters, digits, - or _)")
            }
            self.init(kind: .wechat, address: text)
        case .push:
            guard (8...4096).contains(text.utf8.count), !text.contains(where: \.isWhitespace) else {
                throw Problem(description: "'\(SensitiveText.shortened(AddressMask.masked(text, kind: .push)))' is not a push token: expected "
                    + "8 to 4,096 characters without spaces")
            }
            self.init(kind: .push, address: text)
        }
    }

    /// An address read back from the store.
    public init(kind: ChannelKind, address: String) {
        self.kind = kind
        self.address = address
    }

    private static func guessedKind(of text: String) -> ChannelKind {
        // Digits and what numbers are written with: a phone, or a mistyped one (never an openid).
        if text.allSatisfy({ $0.isASCII && ($0.isNumber || " +-().".contains($0)) }) { return .sms }
        if text.contains("@") { return .email }
        let isHex = text.allSatisfy(\.isHexDigit)
        return (isHex && text.utf8.count >= 64) || text.utf8.count > 64 ? .push : .wechat
    }
}
