import Foundation
import HeraldCore

/// What came back from an exchange that got an HTTP answer.
public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header fields of the final response, names as received.
    public var headers: [(name: String, value: String)]
    /// At most the transport's cap (64 KiB); `isBodyTruncated` says whether more was sent.
    public var body: [UInt8]
    public var isBodyTruncated: Bool
    /// `1.1`, `2`: what the connection spoke.
    public var httpVersion: String

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = [],
                isBodyTruncated: Bool = false, httpVersion: String = "1.1") {
        self.status = status
        self.httpVersion = httpVersion
        self.headers = headers
        self.body = body
        self.isBodyTruncated = isBodyTruncated
    }

    /// The body as JSON; nil when it is not (straight from the bytes, no string made first).
    public var jsonBody: JSONValue? {
        body.withUnsafeBufferPointer { try? JSONParser.parse(bytes: $0, dialect: .json) }
    }

    /// The first field called `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}
