/// One store key's ciphers (issue 17): AES-256-GCM for values, HMAC-SHA256 for the blind
/// index, both under keys derived from the 32-byte store key (HKDF-Expand, RFC 5869 §2.3,
/// one block each: the store key is already uniformly random, so no extract step).
///
/// Two ways to seal:
/// - `sealForLookup`: the nonce is the value's blind index (HMAC of the plaintext, first 12
///   bytes), so equal values seal equally — the synthetic-IV construction (Rogaway–Shrimpton
///   SIV with GCM as the IV-based cipher). Stored addresses compare and join in SQL as they
///   did in plain text, and an unchanged import row is still unchanged. It reveals which
///   stored values are equal, exactly what a blind index column would; nothing more.
/// - `seal`: a random nonce, for text nobody looks up (message bodies).
/// Both bind the key's id as associated data, so a value relabelled to another key fails.
public final class FieldCipher: Sendable {
    /// 8 hex digits naming the key without revealing it: stored with every value sealed under
    /// it, and in the store's list of keys its data is under.
    public let keyID: String
    private let keyIDBytes: [UInt8]
    private let cipher: AESGCM
    private let index: HMACKey

    public struct KeyFailure: Error, CustomStringConvertible {
        public var description: String
    }

    public init(key: [UInt8]) throws {
        guard key.count == AESGCM.keySize else {
            throw KeyFailure(description: "a store key is 32 bytes; this one is \(key.count)")
        }
        let master = HMACKey(key: key)
        func derive(_ label: String) -> [UInt8] { master.authenticate(Array(label.utf8) + [1]) }
        keyIDBytes = Array(derive("herald store key id v1").prefix(4))
        keyID = keyIDBytes.hexString
        cipher = AESGCM(key: derive("herald field encryption v1"))
        index = HMACKey(key: derive("herald blind index v1"))
    }

    /// The keyed blind index of `value`: the same value gives the same index under this key only.
    public func blindIndex(_ value: [UInt8]) -> [UInt8] { index.authenticate(value) }

    public func sealForLookup(_ plaintext: [UInt8]) -> [UInt8] {
        cipher.seal(plaintext, nonce: Array(blindIndex(plaintext).prefix(AESGCM.nonceSize)), authenticating: keyIDBytes)
    }

    public func seal(_ plaintext: [UInt8]) -> [UInt8] { cipher.seal(plaintext, authenticating: keyIDBytes) }

    public func open(_ sealed: [UInt8]) throws -> [UInt8] { try cipher.open(sealed, authenticating: keyIDBytes) }
}
