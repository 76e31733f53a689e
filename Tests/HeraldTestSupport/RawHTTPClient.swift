import Foundation

/// Sends bytes to 127.0.0.1:port as they are — well-formed requests or not — and reads what
/// comes back until the server closes the connection or `within` runs out. For testing the
/// edge's server against malformed and slow clients, which no HTTP library would send.
public enum RawHTTPClient {
    public struct Reply: Sendable {
        public var bytes: [UInt8]
        /// The connection ended (closed or reset) before the deadline.
        public var closed: Bool

        public var text: String { String(decoding: bytes, as: UTF8.self) }
        /// The status of the first response, nil when none came.
        public var status: Int? {
            guard text.hasPrefix("HTTP/1."), text.count >= 12 else { return nil }
            return Int(text.dropFirst(9).prefix(3))
        }

        /// A header of the first response, by name in any case.
        public func header(_ name: String) -> String? {
            let head = text.components(separatedBy: "\r\n\r\n").first ?? ""
            for line in head.components(separatedBy: "\r\n").dropFirst() {
                let parts = line.split(separator: ":", maxSplits: 1)
                if parts.count == 2, parts[0].lowercased() == name.lowercased() {
                    return parts[1].trimmingCharacters(in: .whitespaces)
                }
            }
            return nil
        }
    }

    /// Writes `pieces` one after another (with `pause` between them, for slow clients) and
    /// reads until the connection closes or `within` seconds have passed.
    public static func exchange(port: UInt16, _ pieces: [[UInt8]], pause: Double = 0, within: Double = 10) -> Reply {
        guard let descriptor = LoopbackSocket.connected(to: port) else { return Reply(bytes: [], closed: true) }
        defer { close(descriptor) }
        for (index, piece) in pieces.enumerated() {
            if index > 0, pause > 0 { Thread.sleep(forTimeInterval: pause) }
            let written = piece.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written < 0 { break }
        }
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let deadline = Date().addingTimeInterval(within)
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while Date() < deadline {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                bytes += buffer[0..<count]
            } else if count == 0 || (errno != EAGAIN && errno != EWOULDBLOCK) {
                return Reply(bytes: bytes, closed: true)
            }
        }
        return Reply(bytes: bytes, closed: false)
    }

    /// One request with `Connection: close`.
    public static func request(port: UInt16, _ method: String, _ target: String, headers: [String: String] = [:],
                               body: [UInt8] = [], within: Double = 10) -> Reply {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" { head += "Content-Length: \(body.count)\r\n" }
        return exchange(port: port, [Array((head + "\r\n").utf8) + body], within: within)
    }
}
