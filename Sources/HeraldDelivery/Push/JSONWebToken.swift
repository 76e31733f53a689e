import Foundation
import HeraldCore
import HeraldCrypto

/// A signed JWT (RFC 7519, compact form) as the push providers want one: APNs' provider
/// token (ES256) and Google's OAuth assertion (RS256).
enum JSONWebToken {
    /// `base64url(header).base64url(claims).base64url(signature)`; nil if signing fails.
    static func make(claims: [(String, JSONOutput)], key: SigningKey, keyID: String? = nil) -> String? {
        var header: [(String, JSONOutput)] = [("alg", .string(key.algorithm.rawValue)), ("typ", "JWT")]
        if let keyID { header.append(("kid", .string(keyID))) }
        let input = base64URL(Array(JSONOutput.object(header).rendered().utf8)) + "."
            + base64URL(Array(JSONOutput.object(claims).rendered().utf8))
        guard let signature = key.sign(Array(input.utf8)) else { return nil }
        return input + "." + base64URL(signature)
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
