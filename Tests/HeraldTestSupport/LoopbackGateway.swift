import Foundation
import Synchronization

/// A small HTTP/1.1 gateway on 127.0.0.1 for delivery tests and the dispatch benchmark:
/// keep-alive connections, one thread each, and a script that decides every reply — a
/// status (with headers, body and a delay), a connection closed or reset before or during
/// the response, or bytes that are not HTTP.
///
/// Covers what Herald's http adapter sends (POST with Content-Length); no chunked bodies,
/// no TLS, no pipelining. Every request is recorded with its `Idempotency-Key` and headers,
/// and every 2xx answered in full is counted per key (what the gateway "accepted").
public final class LoopbackGateway: Sendable {
    public enum Reply: Sendable {
        case status(Int, headers: [String: String] = [:], body: String = "{}", delay: Double = 0)
        /// Sends the headers and part of the body, then closes the connection.
        case closeMidResponse
        /// Resets the connection (RST) without a byte of response.
        case resetBeforeResponse
        /// Sends part of the headers, then resets the connection.
        case resetMidResponse
        /// Answers with bytes that are not an HTTP response, then closes.
        case garbage
    }

    public struct Request: Sendable {
        /// The request line's method and target (path and query, as sent).
        public var method = "POST"
        public var target = "/"
        public var idempotencyKey: String
        /// Lower-cased names.
        public var headers: [String: String]
        public var body: String
        public var receivedAt: ContinuousClock.Instant
        /// How many requests with this key arrived before and including this one.
        public var occurrence: Int
    }

    private struct State {
        var requests: [Request] = []
        var keys: [String: Int] = [:]
        var accepted: [String: Int] = [:]
        var connections: Set<Int32> = []
        var inFlight = 0
        var maxInFlight = 0
        var stopped = false
    }

    public let port: UInt16
    private let listener: Int32
    private let script: @Sendable (Request) -> Reply
    private let state = Mutex(State())
    /// Signalled once the accept loop has closed the listener.
    private let listenerClosed = DispatchSemaphore(value: 0)

    /// `script` sees each request (with how often its key came) and says how to reply.
    /// `port` 0 picks a free one; a given port lets a test bring a gateway "back up".
    public init(port: UInt16 = 0,
                script: @escaping @Sendable (Request) -> Reply = { _ in .status(200, body: #"{"message_id":"ok"}"#) }) throws {
        self.script = script
        let (listener, boundPort) = try LoopbackSocket.bound(to: port)
        guard listen(listener, 1024) == 0 else {
            close(listener)
            throw GatewayError(description: "listen: \(errno)")
        }
        self.port = boundPort
        self.listener = listener
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    deinit {
        stop()
    }

    public var url: String { "http://127.0.0.1:\(port)/send" }

    public var requests: [Request] { state.withLock { $0.requests } }

    /// Requests per idempotency key.
    public var keyCounts: [String: Int] { state.withLock { $0.keys } }

    /// 2xx answers written in full, per idempotency key: how often the gateway accepted it.
    public var acceptedCounts: [String: Int] { state.withLock { $0.accepted } }

    /// The most requests that were being answered at the same time.
    public var maxConcurrentRequests: Int { state.withLock { $0.maxInFlight } }

    /// Stops listening and ends every connection. Safe to call twice (and `deinit` calls it).
    /// Descriptors are only shut down here, never closed: the accept loop closes the listener
    /// when `accept` fails, and each connection's thread closes its own, both after leaving
    /// the state. A descriptor closed here could be reused at once by another test's socket
    /// (another gateway's listener, a database) while a thread of this one still used the number.
    /// Returns once the listener is closed, so a test can bring a gateway up on the same port.
    public func stop() {
        let first = state.withLock { state -> Bool in
            guard !state.stopped else { return false }
            state.stopped = true
            shutdown(listener, Int32(SHUT_RDWR))
            for connection in state.connections { shutdown(connection, Int32(SHUT_RDWR)) }
            return true
        }
        if first { _ = listenerClosed.wait(timeout: .now() + 5) }
    }

    private func acceptLoop() {
        defer {
            close(listener)
            listenerClosed.signal()
        }
        while true {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else {
                if errno == EINTR { continue }
                return
            }
            var yes: Int32 = 1
            setsockopt(connection, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
            let accepted = state.withLock { state in
                guard !state.stopped else { return false }
                state.connections.insert(connection)
                return true
            }
            guard accepted else {
                close(connection)
                return
            }
            let thread = Thread { [self] in serve(connection) }
            thread.stackSize = 256 * 1024
            thread.start()
        }
    }

    private func serve(_ connection: Int32) {
        defer {
            // Under the lock, so `stop` never shuts down a number this thread already gave back.
            state.withLock { state in
                state.connections.remove(connection)
                close(connection)
            }
        }
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            // Read until a whole request (headers + Content-Length body) is buffered.
            var request: (headers: [String: String], body: [UInt8], consumed: Int)?
            while request == nil {
                request = Self.parse(buffer)
                if request != nil { break }
                let count = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
                guard count > 0 else { return }
                buffer += chunk[0..<count]
            }
            guard let (headers, body, consumed) = request else { return }
            buffer.removeFirst(consumed)
            let key = headers["idempotency-key"] ?? ""
            let recorded = state.withLock { state -> Request in
                state.keys[key, default: 0] += 1
                state.inFlight += 1
                state.maxInFlight = max(state.maxInFlight, state.inFlight)
                var request = Request(idempotencyKey: key, headers: headers, body: String(decoding: body, as: UTF8.self),
                                      receivedAt: .now, occurrence: state.keys[key]!)
                let requestLine = headers[":request-line"]?.split(separator: " ") ?? []
                if requestLine.count >= 2 { (request.method, request.target) = (String(requestLine[0]), String(requestLine[1])) }
                state.requests.append(request)
                return request
            }
            let reply = script(recorded)
            defer { state.withLock { $0.inFlight -= 1 } }
            switch reply {
            case .status(let code, let extraHeaders, let text, let delay):
                if delay > 0 {
                    Thread.sleep(forTimeInterval: delay)
                    // The client gave up meanwhile (its timeout): nothing is accepted.
                    if Self.peerHasClosed(connection) { return }
                }
                let bytes = Array(text.utf8)
                var head = "HTTP/1.1 \(code) \(code < 300 ? "OK" : "Error")\r\nContent-Type: application/json\r\n"
                    + "Content-Length: \(bytes.count)\r\nConnection: keep-alive\r\n"
                for (name, value) in extraHeaders { head += "\(name): \(value)\r\n" }
                // Counted before the write: the client may act on the answer before this thread runs on.
                let accepts = (200..<300).contains(code)
                if accepts { state.withLock { $0.accepted[key, default: 0] += 1 } }
                guard Self.write(Array((head + "\r\n").utf8) + bytes, to: connection) else {
                    if accepts { state.withLock { $0.accepted[key, default: 0] -= 1 } }
                    return
                }
            case .closeMidResponse:
                _ = Self.write(Array("HTTP/1.1 200 OK\r\nContent-Length: 200\r\n\r\n{\"message_id\":".utf8), to: connection)
                return
            case .resetBeforeResponse:
                Self.reset(connection)
                return
            case .resetMidResponse:
                _ = Self.write(Array("HTTP/1.1 200 OK\r\nContent-Ty".utf8), to: connection)
                Self.reset(connection)
                return
            case .garbage:
                _ = Self.write(Array("\u{16}\u{03}\u{01}garbage, not HTTP at all\r\n\r\n".utf8), to: connection)
                return
            }
        }
    }

    /// Whether the other side closed the connection (a client that timed out).
    private static func peerHasClosed(_ connection: Int32) -> Bool {
        var byte: UInt8 = 0
        let peeked = recv(connection, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        return peeked == 0 || (peeked < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
    }

    /// SO_LINGER 0: closing sends a reset instead of a clean end.
    private static func reset(_ connection: Int32) {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(connection, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
    }

    private static func write(_ bytes: [UInt8], to connection: Int32) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }

    /// A complete request at the start of `buffer`: lower-cased headers, body, bytes used.
    private static func parse(_ buffer: [UInt8]) -> (headers: [String: String], body: [UInt8], consumed: Int)? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard buffer.count >= 4, let end = (0...(buffer.count - 4)).first(where: { buffer[$0..<$0 + 4].elementsEqual(separator) })
        else { return nil }
        let headText = String(decoding: buffer[0..<end], as: UTF8.self)
        var headers: [String: String] = [:]
        headers[":request-line"] = headText.split(separator: "\r\n").first.map(String.init)
        for line in headText.split(separator: "\r\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        let bodyStart = end + 4
        guard buffer.count >= bodyStart + length else { return nil }
        return (headers, Array(buffer[bodyStart..<bodyStart + length]), bodyStart + length)
    }

    public struct GatewayError: Error, CustomStringConvertible {
        public var description: String
    }
}
