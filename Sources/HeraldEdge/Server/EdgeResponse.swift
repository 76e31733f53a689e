/// What a route answers.
public struct EdgeResponse: Sendable, Equatable {
    public var status: Int
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, headers: [String: String] = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// Plain text, UTF-8.
    public static func text(_ status: Int, _ text: String) -> EdgeResponse {
        EdgeResponse(status: status, headers: ["Content-Type": "text/plain; charset=utf-8"], body: Array(text.utf8))
    }

    /// 405, with the methods the resource takes.
    public static func methodNotAllowed(_ allowed: String) -> EdgeResponse {
        EdgeResponse(status: 405, headers: ["Allow": allowed, "Content-Type": "text/plain; charset=utf-8"],
                     body: Array("method not allowed; use \(allowed)\n".utf8))
    }

    /// JSON, UTF-8.
    public static func json(_ status: Int, _ text: String) -> EdgeResponse {
        EdgeResponse(status: status, headers: ["Content-Type": "application/json"], body: Array(text.utf8))
    }

    /// A redirect that no cache keeps: every click must reach the edge to be counted.
    public static func redirect(to location: String) -> EdgeResponse {
        EdgeResponse(status: 302, headers: ["Location": location, "Cache-Control": "no-store"])
    }
}
