import CCrypto
import Synchronization

/// AES-256-GCM through libcrypto's EVP interface, one key per instance: the store's
/// encryption at rest (issue 17). A sealed value is `nonce (12 bytes) ‖ ciphertext ‖ tag
/// (16 bytes)`. The key schedule is set up once and each call only sets the nonce — a
/// member import seals several fields a row, and a fresh context a call cost more than the
/// encryption itself. Calls from several threads take turns (one lock, held for microseconds).
public final class AESGCM: Sendable {
    public static let keySize = 32
    public static let nonceSize = 12
    public static let tagSize = 16

    public struct OpenFailure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The two contexts, each keyed once. `OpaquePointer`s owned by this instance only.
    private struct Contexts: ~Copyable, @unchecked Sendable {
        let encrypt: OpaquePointer
        let decrypt: OpaquePointer
    }

    private let contexts: Mutex<Contexts>

    public init(key: [UInt8]) {
        precondition(key.count == Self.keySize, "AES-256-GCM needs a 32-byte key")
        guard let encrypt = EVP_CIPHER_CTX_new(), let decrypt = EVP_CIPHER_CTX_new(),
              EVP_EncryptInit_ex(encrypt, EVP_aes_256_gcm(), nil, key, nil) == 1,
              EVP_DecryptInit_ex(decrypt, EVP_aes_256_gcm(), nil, key, nil) == 1
        else { preconditionFailure("libcrypto: no AES-256-GCM context") }
        contexts = Mutex(Contexts(encrypt: encrypt, decrypt: decrypt))
    }

    deinit {
        contexts.withLock { contexts in
            EVP_CIPHER_CTX_free(contexts.encrypt)
            EVP_CIPHER_CTX_free(contexts.decrypt)
        }
    }

    /// `plaintext` sealed with a fresh nonce from libcrypto's CSPRNG: up to 2^32 values a key
    /// (NIST SP 800-38D's bound for random nonces; a rekey comes long before).
    public func seal(_ plaintext: [UInt8], authenticating data: [UInt8] = []) -> [UInt8] {
        var nonce = [UInt8](repeating: 0, count: Self.nonceSize)
        let drawn = nonce.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(Self.nonceSize)) }
        precondition(drawn == 1, "libcrypto could not draw a random nonce")
        return seal(plaintext, nonce: nonce, authenticating: data)
    }

    /// With a given nonce, which must never repeat under this key for a different plaintext
    /// (`FieldCipher` derives it from the plaintext; known-answer tests give it).
    public func seal(_ plaintext: [UInt8], nonce: [UInt8], authenticating data: [UInt8]) -> [UInt8] {
        precondition(nonce.count == Self.nonceSize, "AES-256-GCM needs a 12-byte nonce")
        var output = [UInt8](repeating: 0, count: Self.nonceSize + plaintext.count + Self.tagSize)
        let ok = contexts.withLock { contexts in
            let context = contexts.encrypt
            var length: Int32 = 0
            guard EVP_EncryptInit_ex(context, nil, nil, nil, nonce) == 1,
                  data.isEmpty || EVP_EncryptUpdate(context, nil, &length, data, Int32(data.count)) == 1
            else { return false }
            return output.withUnsafeMutableBufferPointer { buffer in
                let out = buffer.baseAddress! + Self.nonceSize
                return (plaintext.isEmpty || EVP_EncryptUpdate(context, out, &length, plaintext,
                                                                 Int32(plaintext.count)) == 1)
                    && EVP_EncryptFinal_ex(context, out + plaintext.count, &length) == 1
                    && EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, Int32(Self.tagSize),
                                           out + plaintext.count) == 1
            }
        }
        precondition(ok, "libcrypto AES-256-GCM encryption failed")
        output.replaceSubrange(0..<Self.nonceSize, with: nonce)
        return output
    }

    /// The plaintext of `sealed`; throws when the key, the bound data or any byte is wrong.
    public func open(_ sealed: [UInt8], authenticating data: [UInt8] = []) throws -> [UInt8] {
        guard sealed.count >= Self.nonceSize + Self.tagSize else {
            throw OpenFailure(description: "a sealed value of \(sealed.count) bytes is too short (at least 28)")
        }
        let nonce = Array(sealed.prefix(Self.nonceSize))
        var tag = Array(sealed.suffix(Self.tagSize))
        let ciphertext = Array(sealed[Self.nonceSize..<(sealed.count - Self.tagSize)])
        // One byte more than needed: an empty value still has a buffer to finish into.
        var plaintext = [UInt8](repeating: 0, count: ciphertext.count + 1)
        let ok = contexts.withLock { contexts in
            let context = contexts.decrypt
            var length: Int32 = 0
            guard EVP_DecryptInit_ex(context, nil, nil, nil, nonce) == 1,
                  data.isEmpty || EVP_DecryptUpdate(context, nil, &length, data, Int32(data.count)) == 1
            else { return false }
            return plaintext.withUnsafeMutableBufferPointer { out in
                (ciphertext.isEmpty || EVP_DecryptUpdate(context, out.baseAddress, &length, ciphertext,
                                                          Int32(ciphertext.count)) == 1)
                    && EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, Int32(Self.tagSize), &tag) == 1
                    && EVP_DecryptFinal_ex(context, out.baseAddress! + ciphertext.count, &length) == 1
            }
        }
        guard ok else {
            throw OpenFailure(description: "the value does not open with this key (wrong key, or altered)")
        }
        plaintext.removeLast()
        return plaintext
    }
}
