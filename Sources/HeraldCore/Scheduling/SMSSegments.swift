/// How many SMS segments a text takes (SPEC 1.3): 160 characters in one segment when all
/// are GSM-7, else 70 (UCS-2); longer texts are split into segments of 153 / 67.
///
/// Counted as carriers count: GSM-7 extension characters (`^ { } [ ] ~ \ | €`, form feed)
/// take two septets; in UCS-2, a character outside the Basic Multilingual Plane (most
/// emoji) takes two code units. Not covered: national language shift tables.
public struct SMSSegments: Hashable, Sendable {
    public enum Encoding: String, Sendable {
        case gsm7
        case ucs2
    }

    public var encoding: Encoding
    /// Septets (GSM-7) or UTF-16 code units (UCS-2).
    public var units: Int
    public var count: Int

    public init(_ text: String) {
        var septets = 0
        var isGSM = true
        for scalar in text.unicodeScalars {
            if SMSSegments.basic.contains(scalar) {
                septets += 1
            } else if SMSSegments.extended.contains(scalar) {
                septets += 2
            } else {
                isGSM = false
                break
            }
        }
        if isGSM {
            encoding = .gsm7
            units = septets
            count = septets <= 160 ? 1 : (septets + 152) / 153
        } else {
            encoding = .ucs2
            units = text.utf16.count
            count = units <= 70 ? 1 : (units + 66) / 67
        }
        if units == 0 { count = 0 }
    }

    /// The GSM 03.38 default alphabet.
    static let basic: Set<Unicode.Scalar> = Set(
        ("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
            + "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà").unicodeScalars)
    /// Characters reached through the escape: two septets each.
    static let extended: Set<Unicode.Scalar> = Set("^{}\\[~]|€\u{0C}".unicodeScalars)
}
