/// A phone number normalised to E.164 (`+8613812345678`).
///
/// Chinese mobiles are checked strictly: 11 digits, `1` then `3`–`9`, written bare, with
/// `86`, `+86` or `0086` in front, with spaces, dashes or parentheses between digit groups.
/// A number that starts with `+` and another country code is kept as given when it is
/// plausible for E.164: 8 to 15 digits, first digit not 0. Not covered: Chinese landlines
/// (`010-…`), which cannot receive SMS, and per-country length rules outside China.
public struct PhoneNumber: Hashable, Sendable, CustomStringConvertible {
    public static let expectedFormat =
        "an 11-digit Chinese mobile (13812345678, +86 138 1234 5678) or +<country code><number>"

    /// E.164, with the leading `+`.
    public let e164: String

    public init?(_ text: String) {
        var digits: [UInt8] = []
        digits.reserveCapacity(16)
        var hasPlus = false
        for (offset, byte) in text.utf8.enumerated() {
            switch byte {
            case 0x30...0x39: digits.append(byte)
            case UInt8(ascii: "+") where offset == 0: hasPlus = true
            case UInt8(ascii: " "), UInt8(ascii: "-"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "."): continue
            default: return nil
            }
        }
        if !hasPlus, digits.count == 15, digits.starts(with: Array("0086".utf8)) {
            digits.removeFirst(2)
            hasPlus = true
        }
        if !hasPlus, digits.count == 13, digits.starts(with: Array("86".utf8)) { hasPlus = true }
        if hasPlus, digits.starts(with: Array("86".utf8)) {
            let national = Array(digits.dropFirst(2))
            guard PhoneNumber.isChineseMobile(national) else { return nil }
            e164 = "+" + String(decoding: digits, as: UTF8.self)
        } else if hasPlus {
            guard (8...15).contains(digits.count), digits[0] != UInt8(ascii: "0") else { return nil }
            e164 = "+" + String(decoding: digits, as: UTF8.self)
        } else {
            guard PhoneNumber.isChineseMobile(digits) else { return nil }
            e164 = "+86" + String(decoding: digits, as: UTF8.self)
        }
    }

    /// A number read back from the store, which only ever holds validated E.164.
    public init(storedE164: String) {
        e164 = storedE164
    }

    private static func isChineseMobile(_ digits: [UInt8]) -> Bool {
        digits.count == 11 && digits[0] == UInt8(ascii: "1") && digits[1] >= UInt8(ascii: "3")
    }

    /// For logs, previews and reports: `+86138****5678`; other countries keep their
    /// country code and last four digits.
    public var masked: String { PhoneNumber.mask(e164) }

    /// Masks any stored phone text the same way: keep the prefix, hide all but the last four.
    public static func mask(_ phone: String) -> String {
        let characters = Array(phone)
        let visiblePrefix = phone.hasPrefix("+86") ? 6 : min(4, max(0, characters.count - 4))
        guard characters.count > visiblePrefix + 4 else { return String(repeating: "*", count: characters.count) }
        let hidden = characters.count - visiblePrefix - 4
        return String(characters[..<visiblePrefix]) + String(repeating: "*", count: hidden)
            + String(characters[(characters.count - 4)...])
    }

    public var description: String { masked }
}
