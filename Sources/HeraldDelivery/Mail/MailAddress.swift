import Foundation

/// A mailbox: a bare address and, optionally, a display name (`品牌会员中心 <noreply@brand.cn>`).
public struct MailAddress: Sendable, Equatable {
    public var name: String?
    public var address: String

    /// `Name <address>` or a bare `address`; nil when the address is not `local@domain`
    /// with a dot in the domain, or anything holds a line break or angle bracket.
    public init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        var name: String?
        var address = trimmed
        if trimmed.hasSuffix(">"), let open = trimmed.lastIndex(of: "<") {
            let shown = trimmed[..<open].trimmingCharacters(in: .whitespaces)
            name = shown.isEmpty ? nil : shown.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            address = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
        }
        guard Self.isAddress(address), !(name ?? "").unicodeScalars.contains(where: { $0.value < 0x20 || "<>".unicodeScalars.contains($0) })
        else { return nil }
        self.name = name
        self.address = address
    }

    /// `local@domain.tld`: one @, no spaces, brackets or control characters.
    public static func isAddress(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."),
              !parts[1].hasSuffix(".") else { return false }
        return !text.unicodeScalars.contains { $0.value <= 0x20 || $0.value == 0x7F || "<>()[],;:\\\"".unicodeScalars.contains($0) }
    }

    public var domain: String { String(address.split(separator: "@").last ?? "") }

    /// As a `From:` header value: the name as encoded words when it is not plain ASCII.
    var header: String {
        guard let name else { return "<\(address)>" }
        let plain = name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || $0 == " " || ("0"..."9").contains($0)) }
        return (plain ? "\"\(name)\"" : MailMessage.encodedWords(name, always: true)) + " <\(address)>"
    }
}
