import Foundation
import HeraldCrypto

/// Alibaba Cloud's RPC request signature (signature version 1.0, HMAC-SHA1), chosen over
/// ACS3 because `SendSms` 2017-05-25 documents it with a worked example: parameters sorted
/// by name and percent-encoded (only `A–Z a–z 0–9 - _ . ~` stay literal, UTF-8 bytes as
/// `%XX`), joined with `&`; the string to sign is `METHOD&%2F&` + that, encoded again; the
/// signature is base64(HMAC-SHA1(AccessKeySecret + "&", string to sign)).
public enum AliyunSignature {
    public static func stringToSign(method: String, parameters: [String: String]) -> String {
        "\(method)&\(percentEncoded("/"))&\(percentEncoded(canonicalQuery(parameters)))"
    }

    public static func signature(method: String, parameters: [String: String], secret: String) -> String {
        Digest.hmac(.sha1, key: Array("\(secret)&".utf8), Array(stringToSign(method: method, parameters: parameters).utf8))
            .base64String
    }

    /// `a=1&b=2`, sorted by name, each side encoded.
    public static func canonicalQuery(_ parameters: [String: String]) -> String {
        parameters.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            .map { "\(percentEncoded($0.key))=\(percentEncoded($0.value))" }
            .joined(separator: "&")
    }

    /// RFC 3986 unreserved characters stay; every other UTF-8 byte becomes `%XX` (upper case).
    public static func percentEncoded(_ text: String) -> String {
        var encoded = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                 UInt8(ascii: "~"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                encoded += String(format: "%%%02X", byte)
            }
        }
        return encoded
    }
}
