/// One HTTP request as a channel adapter builds it. Plain values (with `HTTPResponse` and
/// `HTTPFailure`), so adapters and their tests never touch libcurl.
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
