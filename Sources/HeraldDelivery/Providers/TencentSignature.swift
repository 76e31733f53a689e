import Foundation
import HeraldCore
import HeraldCrypto

/// Tencent Cloud API 3.0's request signature, TC3-HMAC-SHA256 (its "Signature v3" document):
/// a canonical request of method, `/`, query, the `content-type` and `host` headers and the
/// payload's SHA-256; a string to sign with the timestamp and the credential scope
/// `<UTC date>/<service>/tc3_request`; a key derived by HMAC-SHA256 from `TC3<SecretKey>` over
/// date, service and `tc3_request`. Covers only the two signed headers Tencent requires.
public struct TencentSignature: Sendable {
    public var secretID: String
    public var secretKey: String
    public var service: String

    public init(secretID: String, secretKey: String, service: String) {
        self.secretID = secretID
        self.secretKey = secretKey
        self.service = service
    }

    public struct Signed: Sendable, Equatable {
        public var canonicalRequestHash: String
        public var signature: String
        public var authorization: String
    }

    /// The key of a UTC day (`yyyy-MM-dd`): the same for every request that day, so callers
    /// may keep it and pass it to `sign`.
    public func signingKey(forDate date: String) -> [UInt8] {
        let dateKey = Digest.hmacSHA256(key: Array("TC3\(secretKey)".utf8), date)
        let serviceKey = Digest.hmacSHA256(key: dateKey, service)
        return Digest.hmacSHA256(key: serviceKey, "tc3_request")
    }

    /// `query` as it goes in the URL (already encoded; empty for POST); `timestamp` in seconds;
    /// `signingKey` of the timestamp's UTC day when the caller kept it (else derived here).
    public func sign(method: String, query: String = "", contentType: String, host: String, payload: [UInt8],
                     timestamp: Int64, signingKey: [UInt8]? = nil) -> Signed {
        // Built as bytes, no intermediate strings: this runs once per message.
        func bytes(_ parts: String...) -> [UInt8] {
            var joined: [UInt8] = []
            joined.reserveCapacity(parts.reduce(0) { $0 + $1.utf8.count })
            for part in parts { joined.append(contentsOf: part.utf8) }
            return joined
        }
        let canonicalRequest = bytes(method, "\n/\n", query, "\ncontent-type:", contentType, "\nhost:", host,
                                     "\n\ncontent-type;host\n", Digest.hash(.sha256, payload).hexString)
        let date = Self.utcDate(timestamp)
        let scope = "\(date)/\(service)/tc3_request"
        let requestHash = Digest.hash(.sha256, canonicalRequest).hexString
        let stringToSign = bytes("TC3-HMAC-SHA256\n", String(timestamp), "\n", scope, "\n", requestHash)
        let signature = Digest.hmac(.sha256, key: signingKey ?? self.signingKey(forDate: date), stringToSign).hexString
        return Signed(canonicalRequestHash: requestHash, signature: signature,
                      authorization: "TC3-HMAC-SHA256 Credential=\(secretID)/\(scope), "
                          + "SignedHeaders=content-type;host, Signature=\(signature)")
    }

    /// `yyyy-MM-dd` of a Unix timestamp in UTC (never the local zone: Tencent rejects it).
    public static func utcDate(_ timestamp: Int64) -> String {
        let days = timestamp >= 0 ? timestamp / 86_400 : (timestamp - 86_399) / 86_400
        return CivilDate(daysSinceEpoch: Int(days)).description
    }
}
