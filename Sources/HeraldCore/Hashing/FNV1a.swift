/// FNV-1a hashes (Fowler–Noll–Vo), byte by byte over UTF-8.
///
/// 64-bit is what SPEC 2.1 fixes for holdout and variant draws; 128-bit names events
/// that arrive without an id, where 64 bits would risk a collision in a billion rows.
public enum FNV1a {
    public static func hash64(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        return hash
    }

    public static func hash128(_ bytes: some Sequence<UInt8>) -> UInt128 {
        var hasher = Hasher128()
        hasher.combine(bytes)
        return hasher.value
    }

    /// FNV-1a-128 fed piece by piece: `value` is `hash128` of the pieces joined (a checksum of
    /// a stream too large to hold, such as a table read row by row).
    public struct Hasher128: Sendable {
        public private(set) var value: UInt128 = 0x6C62_272E_07BB_0142_62B8_2175_6295_C58D

        public init() {}

        public mutating func combine(_ bytes: some Sequence<UInt8>) {
            for byte in bytes { combine(byte: byte) }
        }

        public mutating func combine(byte: UInt8) {
            value ^= UInt128(byte)
            value &*= 0x0000_0000_0100_0000_0000_0000_0000_013B
        }
    }

    /// The SPEC's draw: the top 53 bits of fmix64(FNV-1a-64 over `text`), divided by 2^53, in [0, 1).
    ///
    /// FNV-1a alone barely carries its last bytes into its top bits, so ids that differ only at
    /// the end (M001, M002, …) drew nearly the same value; the finalizer spreads every input
    /// bit over the whole word.
    public static func unitInterval(_ text: String) -> Double {
        Double(finalized(hash64(text.utf8)) >> 11) / 9_007_199_254_740_992.0
    }

    /// MurmurHash3's 64-bit finalizer (fmix64), as SPEC 2.1 writes it.
    public static func finalized(_ hash: UInt64) -> UInt64 {
        var x = hash
        x ^= x >> 33
        x &*= 0xFF51_AFD7_ED55_8CCD
        x ^= x >> 33
        x &*= 0xC4CE_B93E_53FE_1A53
        x ^= x >> 33
        return x
    }
}
