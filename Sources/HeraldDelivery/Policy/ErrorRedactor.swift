import Foundation
import HeraldCore

/// What a gateway or the transport says about a failure, reduced before it is stored
/// (`last_error`, `delivery_attempts.error`) or logged: an echoing gateway must not leak
/// the channel's secrets or a member's address.
///
/// In order: control characters are removed (so that none can split a number or a secret
/// into pieces that slip past the next steps); every configured secret value of 4 or more
/// characters — raw, JSON-escaped (also with `\/`, as PHP writes it) or percent-encoded —
/// becomes `[secret]`; phone numbers and e-mail addresses are masked (`SensitiveText`); the
/// result is cut at 300 characters. Callers pass the whole text: cutting it first could
/// leave half a secret behind.
public struct ErrorRedactor: Sendable {
    public static let maximumLength = 300
    private let secrets: [String]

    public init(secrets: [String] = []) {
        var forms: Set<String> = []
        for secret in secrets where secret.count >= 4 {
            let json = JSONOutput.string(secret).rendered().dropFirst().dropLast().description
            forms.formUnion([secret, json, json.replacingOccurrences(of: "/", with: "\\/"),
                             secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? secret])
        }
        // Longest first, so a secret that contains another is replaced whole.
        self.secrets = forms.sorted { $0.count > $1.count }
    }

    public func reduce(_ text: String) -> String {
        var reduced = SensitiveText.withoutControlCharacters(text, keepingNewlines: false)
        for secret in secrets where reduced.contains(secret) {
            reduced = reduced.replacingOccurrences(of: secret, with: "[secret]")
        }
        reduced = SensitiveText.masked(reduced)
        guard reduced.count > Self.maximumLength else { return reduced }
        return String(reduced.prefix(Self.maximumLength - 1)) + "…"
    }
}
