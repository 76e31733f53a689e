import Foundation

/// Draws the per-send secrets: tracked-link tokens and coupon codes.
///
/// Real sends draw from the system's secure generator (`getrandom` on Linux), so codes
/// cannot be guessed from one another; previews and tests use a seeded generator, so
/// what they print is reproducible. A code is drawn again when `isIssued` says the store
/// already has it (run asks its outbox, so a collision with any earlier send is avoided, not
/// failed on) or when it is among the last `rememberedLimit` codes drawn here (memory stays
/// bounded however many sends an evaluation plans).
public struct SendCodes {
    /// Token characters: URL-safe, 62 symbols; 12 of them carry about 71 bits.
    static let tokenAlphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
    /// Coupon characters: upper case without the look-alikes 0 O 1 I L, so a code read out
    /// at a till is typed right; 10 of them carry about 49 bits.
    static let couponAlphabet = Array("23456789ABCDEFGHJKMNPQRSTUVWXYZ")
    public static let tokenLength = 12
    public static let couponLength = 10
    /// What a coupon issuer's `max_code_length` may be: the longest code it may issue in
    /// Herald's place (default: as long as Herald's own, the prefix and `couponLength`).
    public static let issuedCouponLengthRange = 1...64
    public static let issuedCouponLengthOption = "max_code_length"
    /// How many issued codes are remembered for the uniqueness check (about 5 MB).
    public static let rememberedLimit = 100_000

    private var generator: any RandomNumberGenerator
    private var issued: Set<String> = []
    /// Whether the store already holds a code (as a link token or a coupon); nil: not asked.
    public var isIssued: ((String) -> Bool)?

    public init(generator: any RandomNumberGenerator) {
        self.generator = generator
    }

    public static func secure() -> SendCodes { SendCodes(generator: SystemRandomNumberGenerator()) }

    public static func seeded(_ seed: UInt64) -> SendCodes { SendCodes(generator: SplitMix64(seed: seed)) }

    /// Where an evaluation's codes come from.
    public enum Source: Sendable {
        /// `run`: unguessable.
        case secure
        /// `preview` and the sandbox: seeded by the evaluation instant, so the sandbox's run
        /// issues exactly the codes its preview shows (and its events file can name them).
        case seededByInstant

        public func codes(at instant: Date) -> SendCodes {
            switch self {
            case .secure: .secure()
            case .seededByInstant: .seeded(UInt64(bitPattern: instant.epochSeconds))
            }
        }
    }

    /// Whether `text` has the shape of a link token — `tokenLength` of `tokenAlphabet`'s ASCII
    /// letters and digits — so that nothing else is looked up at all. Checked on bytes: it
    /// runs for every redirect.
    public static func isLinkToken(_ text: some StringProtocol) -> Bool {
        text.utf8.count == tokenLength
            && text.utf8.allSatisfy { (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0) }
    }

    public mutating func linkToken() -> String { unique(prefix: "", Self.tokenAlphabet, count: Self.tokenLength) }

    public mutating func couponCode(prefix: String) -> String {
        unique(prefix: prefix, Self.couponAlphabet, count: Self.couponLength)
    }

    private mutating func unique(prefix: String, _ alphabet: [Character], count: Int) -> String {
        while true {
            let code = prefix + draw(alphabet, count: count)
            if issued.count >= Self.rememberedLimit { issued.removeAll(keepingCapacity: true) }
            if issued.insert(code).inserted, isIssued?(code) != true { return code }
        }
    }

    private mutating func draw(_ alphabet: [Character], count: Int) -> String {
        var text = ""
        for _ in 0..<count { text.append(alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))]) }
        return text
    }
}
