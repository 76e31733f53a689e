/// Free text that may carry someone's address or raw bytes — a gateway's error body, a
/// rejected row's value, a member's name on a terminal — made fit for logs and screens.
///
/// Phone numbers: a run of digits (single spaces or dashes between groups allowed) of 11 or
/// more digits, or of 8 or more after a `+`, has the four digits before its last four
/// replaced by `*` (`13812345678` → `138****5678`, as SPEC 1.3's `mask`). E-mail addresses
/// keep the first character of the local part and the domain (`z***@example.cn`). Shorter
/// digit runs (amounts, codes, timestamps) are left alone, and so are digits inside a long
/// hexadecimal token (an idempotency key, a request id: 16 or more of 0-9a-f with a letter).
/// Not covered: numbers written with other separators, addresses in other scripts.
public enum SensitiveText {
    public static func masked(_ text: String) -> String {
        maskedEmails(maskedPhoneNumbers(text))
    }

    /// What a message echoes of an argument: its first 64 characters, on one line.
    public static func shortened(_ text: String) -> String {
        let line = withoutControlCharacters(text, keepingNewlines: false)
        return line.count > 64 ? line.prefix(64) + "…" : line
    }

    /// Control characters removed (C0 but tab and, when kept, newline; DEL; C1): ESC and BEL
    /// in member data never reach a terminal or a log line. Without `keepingNewlines`, tabs
    /// and newlines go too.
    public static func withoutControlCharacters(_ text: String, keepingNewlines: Bool = true) -> String {
        guard text.unicodeScalars.contains(where: { isControl($0, keepingNewlines: keepingNewlines) }) else {
            return text
        }
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars where !isControl(scalar, keepingNewlines: keepingNewlines) {
            scalars.append(scalar)
        }
        return String(scalars)
    }

    private static func isControl(_ scalar: Unicode.Scalar, keepingNewlines: Bool) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A: !keepingNewlines
        case 0x00...0x1F, 0x7F...0x9F: true
        default: false
        }
    }

    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }

    private static func maskedPhoneNumbers(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        guard scalars.count(where: isDigit) >= 8 else { return text }
        var output = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            if let tokenEnd = hexTokenEnd(scalars, at: index) {
                output.append(contentsOf: scalars[index..<tokenEnd])
                index = tokenEnd
                continue
            }
            let startsNumber = isDigit(scalars[index])
                || (scalars[index] == "+" && index + 1 < scalars.count && isDigit(scalars[index + 1]))
            guard startsNumber else {
                output.append(scalars[index])
                index += 1
                continue
            }
            // One number: digits, with single spaces or dashes between digit groups.
            let start = index
            let hasPlus = scalars[index] == "+"
            if hasPlus { index += 1 }
            var digitPositions: [Int] = []
            while index < scalars.count {
                if isDigit(scalars[index]) {
                    digitPositions.append(index)
                    index += 1
                } else if (scalars[index] == " " || scalars[index] == "-"), index + 1 < scalars.count,
                          isDigit(scalars[index + 1]), index > start, isDigit(scalars[index - 1]) {
                    index += 1
                } else {
                    break
                }
            }
            // A trailing separator belongs to the text around the number, not to it.
            let count = digitPositions.count
            let hidden = count >= 11 || (hasPlus && count >= 8)
                ? Set(digitPositions[(count - 8)..<(count - 4)]) : []
            for position in start..<index {
                output.append(hidden.contains(position) ? "*" : scalars[position])
            }
        }
        return String(output)
    }

    private static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && (scalar.properties.isAlphabetic || isDigit(scalar))
    }

    /// Where the token starting at `index` ends, when it is a long hexadecimal id (16 or more
    /// of 0-9a-f, one a letter) starting there; nil otherwise.
    private static func hexTokenEnd(_ scalars: [Unicode.Scalar], at index: Int) -> Int? {
        guard index == 0 || !isAlphanumeric(scalars[index - 1]), isAlphanumeric(scalars[index]) else { return nil }
        var end = index
        var hasLetter = false
        while end < scalars.count, isAlphanumeric(scalars[end]) {
            guard scalars[end].properties.isASCIIHexDigit else { return nil }
            hasLetter = hasLetter || !isDigit(scalars[end])
            end += 1
        }
        return hasLetter && end - index >= 16 ? end : nil
    }

    private static func isLocalPart(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && (scalar.properties.isAlphabetic || isDigit(scalar) || "._%+-".unicodeScalars.contains(scalar))
    }

    private static func isDomainPart(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && (scalar.properties.isAlphabetic || isDigit(scalar) || scalar == "." || scalar == "-")
    }

    private static func maskedEmails(_ text: String) -> String {
        guard text.unicodeScalars.contains("@") else { return text }
        var scalars = Array(text.unicodeScalars)
        var index = 0
        while index < scalars.count {
            defer { index += 1 }
            guard scalars[index] == "@" else { continue }
            var localStart = index
            while localStart > 0, isLocalPart(scalars[localStart - 1]) { localStart -= 1 }
            var domainEnd = index + 1
            while domainEnd < scalars.count, isDomainPart(scalars[domainEnd]) { domainEnd += 1 }
            let domain = scalars[(index + 1)..<domainEnd]
            guard index - localStart >= 1, domain.contains("."), domain.first != "." else { continue }
            // The first character, unless it is the whole local part.
            let masked = (index - localStart > 1 ? [scalars[localStart]] : []) + Array("***".unicodeScalars)
            scalars.replaceSubrange(localStart..<index, with: masked)
            index = localStart + masked.count
        }
        var output = String.UnicodeScalarView()
        output.append(contentsOf: scalars)
        return String(output)
    }
}
