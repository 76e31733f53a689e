import CCrypto

/// AES-256-GCM through libcrypto's EVP interface: the store's encryption at rest (issue 17).
/// A sealed value is `nonce (12 bytes) ‖ ciphertext ‖ tag (16 bytes)`, the nonce drawn from
/// libcrypto's CSPRNG for every seal, so one key seals up to 2^32 values safely (NIST SP
/// 800-38D's bound for random nonces; a rekey comes long before). `authenticating` binds a
/// value to its place (a column and row), so a sealed value moved elsewhere fails to open.
public enum AESGCM {
    public static let keySize = 32
    static let nonceSize = 12
    static let tagSize = 16

    public struct OpenFailure: Error, CustomStringConvertible {
        public var description: String
    }

    /// `plaintext` sealed under `key` (32 bytes) with a fresh random nonce.
    public static func seal(_ plaintext: [UInt8], key: [UInt8], authenticating data: [UInt8] = []) -> [UInt8] {
        var nonce = [UInt8](repeating: 0, count: nonceSize)
        let drawn = nonce.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(nonceSize)) }
        precondition(drawn == 1, "libcrypto could not draw a random nonce")
        return seal(plaintext, key: key, nonce: nonce, authenticating: data)
    }

    /// With a given nonce: for known-answer tests only (a nonce must never repeat under a key).
    static func seal(_ plaintext: [UInt8], key: [UInt8], nonce: [UInt8], authenticating data: [UInt8]) -> [UInt8] {
        precondition(key.count == keySize && nonce.count == nonceSize, "AES-256-GCM needs a 32-byte key, 12-byte nonce")
        guard let context = EVP_CIPHER_CTX_new() else { preconditionFailure("libcrypto: no cipher context") }
        defer { EVP_CIPHER_CTX_free(context) }
        var output = [UInt8](repeating: 0, count: plaintext.count + tagSize)
        var length: Int32 = 0
        var ok = EVP_EncryptInit_ex(context, EVP_aes_256_gcm(), nil, key, nonce) == 1
        if ok, !data.isEmpty { ok = EVP_EncryptUpdate(context, nil, &length, data, Int32(data.count)) == 1 }
        ok = ok && output.withUnsafeMutableBufferPointer { out in
            (plaintext.isEmpty || EVP_EncryptUpdate(context, out.baseAddress, &length, plaintext,
                                                     Int32(plaintext.count)) == 1)
                && EVP_EncryptFinal_ex(context, out.baseAddress! + plaintext.count, &length) == 1
                && EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, Int32(tagSize),
                                       out.baseAddress! + plaintext.count) == 1
        }
        precondition(ok, "libcrypto AES-256-GCM encryption failed")
        return nonce + output
    }

    /// The plaintext of `sealed`; throws when the key, the bound data or any byte is wrong.
    public static func open(_ sealed: [UInt8], key: [UInt8], authenticating data: [UInt8] = []) throws -> [UInt8] {
        precondition(key.count == keySize, "AES-256-GCM needs a 32-byte key")
        guard sealed.count >= nonceSize + tagSize else {
            throw OpenFailure(description: "a sealed value of \(sealed.count) bytes is too short (at least 28)")
        }
        let nonce = Array(sealed.prefix(nonceSize))
        var tag = Array(sealed.suffix(tagSize))
        let ciphertext = Array(sealed[nonceSize..<(sealed.count - tagSize)])
        guard let context = EVP_CIPHER_CTX_new() else { preconditionFailure("libcrypto: no cipher context") }
        defer { EVP_CIPHER_CTX_free(context) }
        // One byte more than needed: an empty value still has a buffer to finish into.
        var plaintext = [UInt8](repeating: 0, count: ciphertext.count + 1)
        var length: Int32 = 0
        var ok = EVP_DecryptInit_ex(context, EVP_aes_256_gcm(), nil, key, nonce) == 1
        if ok, !data.isEmpty { ok = EVP_DecryptUpdate(context, nil, &length, data, Int32(data.count)) == 1 }
        ok = ok && plaintext.withUnsafeMutableBufferPointer { out in
            (ciphertext.isEmpty || EVP_DecryptUpdate(context, out.baseAddress, &length, ciphertext,
                                                      Int32(ciphertext.count)) == 1)
                && EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, Int32(tagSize), &tag) == 1
                && EVP_DecryptFinal_ex(context, out.baseAddress! + ciphertext.count, &length) == 1
        }
        guard ok else {
            throw OpenFailure(description: "the value does not open with this key (wrong key, or altered)")
        }
        return Array(plaintext.prefix(ciphertext.count))
    }
}
