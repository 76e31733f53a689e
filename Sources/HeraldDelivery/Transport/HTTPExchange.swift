import Foundation

/// One HTTP request as a channel adapter builds it, and what came back. Plain values, so
/// adapters and their tests never touch libcurl.
public struct HTTPRequest: Sendable {
    public var url: String
    public var method: String
    /// Sent as given, in order; `Content-Length` is added by the transport.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// The whole exchange: connect, send, wait, read.
    public var timeout: Duration
    public var connectTimeout: Duration
    /// A PEM bundle to verify the server against instead of the system's CA store.
    public var caFile: String?

    public init(url: String, method: String = "POST", headers: [(name: String, value: String)] = [], body: [UInt8] = [],
                timeout: Duration, connectTimeout: Duration? = nil, caFile: String? = nil) {
        self.url = url
        self.method = method
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.connectTimeout = min(connectTimeout ?? .seconds(10), timeout)
        self.caFile = caFile
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header fields of the final response, names as received.
    public var headers: [(name: String, value: String)]
    /// At most the transport's cap (64 KiB); `isBodyTruncated` says whether more was sent.
    public var body: [UInt8]
    public var isBodyTruncated: Bool
    /// `1.1`, `2`: what the connection spoke.
    public var httpVersion: String

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = [], isBodyTruncated: Bool = false,
                httpVersion: String = "1.1") {
        self.status = status
        self.httpVersion = httpVersion
        self.headers = headers
        self.body = body
        self.isBodyTruncated = isBodyTruncated
    }

    /// The first field called `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}

/// Why an exchange produced no response.
public enum HTTPFailure: Error, Sendable, Equatable {
    /// The timeout ran out (connecting, or waiting for the answer).
    case timedOut
    /// Refused, reset, closed early, a reply that is not HTTP, TLS trouble: the request may or
    /// may not have reached the server.
    case connection(String)
    /// The request can never work as configured (a malformed URL, an unsupported scheme).
    case invalidRequest(String)
    /// The caller's task was cancelled (shutdown deadline) and the exchange was abandoned.
    case cancelled
}

/// Performs HTTP exchanges. `CurlTransport` is the real one; tests of adapters may use any.
public protocol HTTPTransport: Sendable {
    func perform(_ request: HTTPRequest) async -> Result<HTTPResponse, HTTPFailure>
}
