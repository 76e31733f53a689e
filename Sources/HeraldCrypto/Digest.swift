import CCrypto

/// SHA-1, SHA-256 and their HMACs through libcrypto's one-shot calls (OpenSSL 3:
/// `EVP_Q_digest`, `EVP_Q_mac`): what the SMS providers' request signatures need, and no
/// hand-written hash. Covers byte inputs and outputs only; hex and base64 are `Bytes+Encoding`.
public enum Digest {
    public enum Algorithm: String, Sendable {
        case sha1 = "SHA1"
        case sha256 = "SHA256"

        var size: Int {
            switch self {
            case .sha1: 20
            case .sha256: 32
            }
        }
    }

    // Concrete arrays, not generic collections: across the module boundary a generic
    // parameter is walked element by element through witness tables (microseconds a call).
    public static func hash(_ algorithm: Algorithm, _ input: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: algorithm.size)
        var length = 0
        let ok = input.withUnsafeBufferPointer { bytes in
            output.withUnsafeMutableBufferPointer { out in
                EVP_Q_digest(nil, algorithm.rawValue, nil, bytes.baseAddress, bytes.count, out.baseAddress, &length)
            }
        }
        precondition(ok == 1 && length == algorithm.size, "libcrypto digest \(algorithm.rawValue) failed")
        return output
    }

    public static func hmac(_ algorithm: Algorithm, key keyBytes: [UInt8], _ input: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: algorithm.size)
        var length = 0
        let result = keyBytes.withUnsafeBufferPointer { key in
            input.withUnsafeBufferPointer { bytes in
                output.withUnsafeMutableBufferPointer { out in
                    EVP_Q_mac(nil, "HMAC", nil, algorithm.rawValue, nil, key.baseAddress, key.count,
                              bytes.baseAddress, bytes.count, out.baseAddress, out.count, &length)
                }
            }
        }
        precondition(result != nil && length == algorithm.size, "libcrypto HMAC-\(algorithm.rawValue) failed")
        return output
    }

    public static func sha256(_ text: String) -> [UInt8] { hash(.sha256, Array(text.utf8)) }

    public static func hmacSHA256(key: [UInt8], _ text: String) -> [UInt8] {
        hmac(.sha256, key: key, Array(text.utf8))
    }
}
