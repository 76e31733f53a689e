import CCrypto

/// A private key from PEM (PKCS#8 `BEGIN PRIVATE KEY`, as Apple's `.p8` files and Google's
/// service-account keys carry it) that signs JWTs: ES256 (ECDSA P-256 with SHA-256, the
/// signature as JWS wants it: r and s, 32 bytes each) or RS256 (RSA PKCS#1 v1.5 with SHA-256).
/// Everything through libcrypto's EVP calls; nothing hand-written.
public final class SigningKey: @unchecked Sendable {
    // @unchecked: the EVP_PKEY is only read after init (EVP_DigestSign does not change it;
    // OpenSSL 3 keys may be used from several threads for signing).
    public enum Algorithm: String, Sendable {
        case es256 = "ES256"
        case rs256 = "RS256"
    }

    public let algorithm: Algorithm
    private let key: OpaquePointer

    /// Nil when `pem` holds no private key of the algorithm's type (an EC P-256 key for
    /// ES256, RSA of at least 2048 bits for RS256).
    public init?(pem: String, algorithm: Algorithm) {
        guard let key = SigningKey.readKey(pem, isPublic: false) else { return nil }
        let type = EVP_PKEY_get_base_id(key)
        let fits = switch algorithm {
        case .es256: type == EVP_PKEY_EC && SigningKey.curveName(of: key) == "prime256v1"
        case .rs256: type == EVP_PKEY_RSA && EVP_PKEY_get_bits(key) >= 2048
        }
        guard fits else {
            EVP_PKEY_free(key)
            return nil
        }
        self.algorithm = algorithm
        self.key = key
    }

    deinit { EVP_PKEY_free(key) }

    /// The JWS signature of `input`; nil only if libcrypto fails.
    public func sign(_ input: [UInt8]) -> [UInt8]? {
        guard let context = EVP_MD_CTX_new() else { return nil }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestSignInit(context, nil, EVP_sha256(), nil, key) == 1 else { return nil }
        var length = 0
        guard input.withUnsafeBufferPointer({ EVP_DigestSign(context, nil, &length, $0.baseAddress, $0.count) }) == 1
        else { return nil }
        var signature = [UInt8](repeating: 0, count: length)
        let signed = input.withUnsafeBufferPointer { bytes in
            signature.withUnsafeMutableBufferPointer { out in
                EVP_DigestSign(context, out.baseAddress, &length, bytes.baseAddress, bytes.count)
            }
        }
        guard signed == 1 else { return nil }
        signature.removeLast(signature.count - length)
        return algorithm == .es256 ? SigningKey.rawSignature(fromDER: signature) : signature
    }

    /// Whether `signature` (JWS form) is `publicKeyPEM`'s over `input`: what the tests' fake
    /// providers check, as Apple and Google do.
    public static func verify(_ signature: [UInt8], of input: [UInt8], publicKeyPEM: String,
                              algorithm: Algorithm) -> Bool {
        guard let key = readKey(publicKeyPEM, isPublic: true) else { return false }
        defer { EVP_PKEY_free(key) }
        let der = algorithm == .es256 ? derSignature(fromRaw: signature) : signature
        guard let der, let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestVerifyInit(context, nil, EVP_sha256(), nil, key) == 1 else { return false }
        return der.withUnsafeBufferPointer { signatureBytes in
            input.withUnsafeBufferPointer { bytes in
                EVP_DigestVerify(context, signatureBytes.baseAddress, signatureBytes.count, bytes.baseAddress, bytes.count)
            }
        } == 1
    }

    /// A PEM key; an encrypted one is refused (no passphrase callback: OpenSSL would otherwise
    /// ask for one on the terminal).
    private static func readKey(_ pem: String, isPublic: Bool) -> OpaquePointer? {
        let bytes = Array(pem.utf8)
        return bytes.withUnsafeBufferPointer { buffer -> OpaquePointer? in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else { return nil }
            defer { BIO_free(bio) }
            return isPublic ? PEM_read_bio_PUBKEY(bio, nil, { _, _, _, _ in 0 }, nil)
                : PEM_read_bio_PrivateKey(bio, nil, { _, _, _, _ in 0 }, nil)
        }
    }

    /// An EC key's curve ("prime256v1" is P-256), nil for other keys.
    private static func curveName(of key: OpaquePointer) -> String? {
        var name = [CChar](repeating: 0, count: 64)
        var length = 0
        guard EVP_PKEY_get_utf8_string_param(key, "group", &name, name.count, &length) == 1 else { return nil }
        return String(decoding: name.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// ECDSA's DER `SEQUENCE { r, s }` as JWS's fixed 64 bytes.
    private static func rawSignature(fromDER der: [UInt8]) -> [UInt8]? {
        der.withUnsafeBufferPointer { buffer -> [UInt8]? in
            var pointer: UnsafePointer<UInt8>? = buffer.baseAddress
            guard let parsed = d2i_ECDSA_SIG(nil, &pointer, buffer.count) else { return nil }
            defer { ECDSA_SIG_free(parsed) }
            var raw = [UInt8](repeating: 0, count: 64)
            let written = raw.withUnsafeMutableBufferPointer { out in
                BN_bn2binpad(ECDSA_SIG_get0_r(parsed), out.baseAddress, 32) == 32
                    && BN_bn2binpad(ECDSA_SIG_get0_s(parsed), out.baseAddress! + 32, 32) == 32
            }
            return written ? raw : nil
        }
    }

    /// JWS's 64 bytes as ECDSA's DER, for libcrypto's verification.
    private static func derSignature(fromRaw raw: [UInt8]) -> [UInt8]? {
        guard raw.count == 64, let parsed = ECDSA_SIG_new() else { return nil }
        defer { ECDSA_SIG_free(parsed) }
        let r = raw.withUnsafeBufferPointer { BN_bin2bn($0.baseAddress, 32, nil) }
        let s = raw.withUnsafeBufferPointer { BN_bin2bn($0.baseAddress! + 32, 32, nil) }
        guard ECDSA_SIG_set0(parsed, r, s) == 1 else { return nil }
        var out: UnsafeMutablePointer<UInt8>?
        let length = i2d_ECDSA_SIG(parsed, &out)
        guard length > 0, let out else { return nil }
        defer { CRYPTO_free(out, #file, #line) }
        return Array(UnsafeBufferPointer(start: out, count: Int(length)))
    }
}
