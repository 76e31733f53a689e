import Foundation

/// An address or a network in CIDR notation (`203.0.113.7`, `203.0.113.0/24`, `2001:db8::/32`),
/// for `serve.callbacks_from`: which peers may call the provider callbacks.
public struct IPAddressRange: Sendable, Equatable, CustomStringConvertible {
    /// The network's bytes (4 or 16) and how many leading bits must match.
    private let bytes: [UInt8]
    private let prefixLength: Int
    public let description: String

    /// Nil when `text` is neither an address nor address/bits with bits in range.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = Self.bytes(of: String(parts[0])) else { return nil }
        let bits = address.count * 8
        if parts.count == 2 {
            guard parts[1].utf8.count <= 3, let length = Int(parts[1]), (0...bits).contains(length) else { return nil }
            prefixLength = length
        } else {
            prefixLength = bits
        }
        bytes = address
        description = text
    }

    /// Whether `address` (as text) is in the range; an IPv4-mapped IPv6 peer (`::ffff:a.b.c.d`)
    /// counts as its IPv4 address.
    public func contains(_ address: String) -> Bool {
        guard var candidate = Self.bytes(of: address) else { return false }
        if candidate.count == 16, bytes.count == 4, candidate.prefix(12).elementsEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]) {
            candidate = Array(candidate.suffix(4))
        }
        guard candidate.count == bytes.count else { return false }
        let whole = prefixLength / 8
        guard candidate.prefix(whole).elementsEqual(bytes.prefix(whole)) else { return false }
        let rest = prefixLength % 8
        guard rest > 0 else { return true }
        let mask = UInt8(0xff) << (8 - rest)
        return candidate[whole] & mask == bytes[whole] & mask
    }

    /// An address's bytes: 4 for IPv4, 16 for IPv6; nil when it is neither.
    private static func bytes(of text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: v6) { Array($0) } }
        return nil
    }
}
