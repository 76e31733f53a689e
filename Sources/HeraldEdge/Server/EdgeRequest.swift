/// One HTTP request as the edge's routes see it: header names in lower case, the body whole
/// (the server refuses bodies beyond its limit before a route sees them).
public struct EdgeRequest: Sendable {
    public var method: String
    /// The path without the query string, as sent (not decoded).
    public var path: String
    /// The query string's arguments, decoded.
    public var arguments: [String: String]
    public var headers: [String: String]
    public var body: [UInt8]
    /// The peer's IP address as text (`127.0.0.1`, `::1`): the proxy's, behind one.
    public var clientAddress: String?

    public init(method: String, path: String, arguments: [String: String] = [:], headers: [String: String] = [:],
                body: [UInt8] = [], clientAddress: String? = nil) {
        self.clientAddress = clientAddress
        self.method = method
        self.path = path
        self.arguments = arguments
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? { headers[name.lowercased()] }
}
