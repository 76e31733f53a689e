/// An amount in yuan held as whole fen (1/100 yuan), so sums are exact.
public struct Money: Hashable, Comparable, Sendable, CustomStringConvertible {
    public static let expectedFormat = "an amount in yuan with at most 2 decimals (150, 150.5, 150.50)"
    /// What data files may hold (`dataLimit`): a non-negative amount up to ¥100,000,000.
    public static let expectedDataAmount =
        "an amount in yuan from 0 to 100000000 with at most 2 decimals (150, 150.5, 150.50)"

    public var fen: Int64

    /// The largest amount one event or one member's balance may carry: ¥100,000,000. Sums of
    /// billions of such amounts still fit in 64 bits, so totals cannot overflow.
    public static let dataLimit = Money(fen: 10_000_000_000)

    public init(fen: Int64) {
        self.fen = fen
    }

    /// Reads `150`, `150.5`, `-3.25`, `¥150.00`, `1,280.00`. Nil for anything else, for more
    /// than two decimals (never rounded silently) and for amounts beyond ±10^13 yuan.
    public init?(yuan text: String) {
        var text = Substring(text)
        if text.hasPrefix("¥") || text.hasPrefix("￥") { text = text.dropFirst() }
        var isNegative = false
        if text.hasPrefix("-") {
            isNegative = true
            text = text.dropFirst()
        } else if text.hasPrefix("+") {
            text = text.dropFirst()
        }
        var whole: Int64 = 0
        var fraction: Int64 = 0
        var fractionDigits = 0
        var wholeDigits = 0
        var inFraction = false
        for byte in text.utf8 {
            switch byte {
            case 0x30...0x39:
                if inFraction {
                    fractionDigits += 1
                    guard fractionDigits <= 2 else { return nil }
                    fraction = fraction * 10 + Int64(byte - 0x30)
                } else {
                    wholeDigits += 1
                    guard wholeDigits <= 13 else { return nil }
                    whole = whole * 10 + Int64(byte - 0x30)
                }
            case UInt8(ascii: "."):
                guard !inFraction else { return nil }
                inFraction = true
            case UInt8(ascii: ",") where !inFraction && wholeDigits > 0:
                continue
            default:
                return nil
            }
        }
        guard wholeDigits > 0 || fractionDigits > 0 else { return nil }
        if fractionDigits == 1 { fraction *= 10 }
        fen = (whole * 100 + fraction) * (isNegative ? -1 : 1)
    }

    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.fen < rhs.fen }

    /// `¥12.30`, `-¥3.05`.
    public var description: String { (fen < 0 ? "-" : "") + "¥" + unsignedYuan }

    /// `12.30`, `-3.05`: the amount without the currency sign.
    public var yuanText: String { (fen < 0 ? "-" : "") + unsignedYuan }

    private var unsignedYuan: String {
        let magnitude = fen.magnitude
        let cents = magnitude % 100
        return "\(magnitude / 100)." + (cents < 10 ? "0" : "") + "\(cents)"
    }
}
