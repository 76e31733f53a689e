import CCrypto
import Synchronization

/// HMAC-SHA256 under one key, through libcrypto's EVP_MAC with the key set once: each call
/// only resets the context to the keyed state (OpenSSL 3 keeps the padded key), which is
/// what makes a blind index a row affordable. `Digest.hmac` is the one-shot for signatures.
public final class HMACKey: Sendable {
    public static let outputSize = 32

    private struct Context: ~Copyable, @unchecked Sendable {
        let mac: OpaquePointer
        let context: OpaquePointer
    }

    private let state: Mutex<Context>

    public init(key: [UInt8]) {
        precondition(!key.isEmpty, "an HMAC key must not be empty")
        guard let mac = EVP_MAC_fetch(nil, "HMAC", nil), let context = EVP_MAC_CTX_new(mac) else {
            preconditionFailure("libcrypto: no HMAC")
        }
        let ok = "digest".withCString { name in
            "SHA256".withCString { digest in
                var parameters = [OSSL_PARAM_construct_utf8_string(name, UnsafeMutablePointer(mutating: digest), 0),
                                  OSSL_PARAM_construct_end()]
                return EVP_MAC_init(context, key, key.count, &parameters) == 1
            }
        }
        precondition(ok, "libcrypto: HMAC-SHA256 would not take its key")
        state = Mutex(Context(mac: mac, context: context))
    }

    deinit {
        state.withLock { state in
            EVP_MAC_CTX_free(state.context)
            EVP_MAC_free(state.mac)
        }
    }

    public func authenticate(_ input: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: Self.outputSize)
        var length = 0
        let ok = state.withLock { state in
            EVP_MAC_init(state.context, nil, 0, nil) == 1
                && EVP_MAC_update(state.context, input, input.count) == 1
                && EVP_MAC_final(state.context, &output, &length, Self.outputSize) == 1
        }
        precondition(ok && length == Self.outputSize, "libcrypto HMAC-SHA256 failed")
        return output
    }
}
