import Foundation
import Synchronization

/// A small SMTP server on 127.0.0.1 for the e-mail adapter's tests: EHLO, AUTH PLAIN,
/// MAIL FROM, RCPT TO, DATA, RSET, NOOP and QUIT, no TLS (the adapter speaks plain SMTP only
/// to loopback). Every message taken is recorded whole — envelope, credentials and the DATA
/// as sent (dot-stuffing undone) — and `rcptReply` decides the answer to each recipient.
public final class LoopbackSMTPServer: Sendable {
    public struct Received: Sendable {
        public var from: String
        public var recipients: [String]
        /// `user:password` from AUTH PLAIN, nil without AUTH.
        public var login: String?
        /// Headers and body, CRLF line ends.
        public var data: String

        /// The header's value, continuation lines unfolded; nil when absent.
        public func header(_ name: String) -> String? {
            let head = data.components(separatedBy: "\r\n\r\n").first ?? ""
            var unfolded: [String] = []
            for line in head.components(separatedBy: "\r\n") {
                if line.hasPrefix(" ") || line.hasPrefix("\t"), !unfolded.isEmpty {
                    unfolded[unfolded.count - 1] += line.dropFirst()
                } else {
                    unfolded.append(line)
                }
            }
            let prefix = name.lowercased() + ":"
            return unfolded.first { $0.lowercased().hasPrefix(prefix) }
                .map { String($0.dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces) }
        }
    }

    public let port: UInt16
    private let listener: Int32
    private let password: String?
    private let rcptReply: @Sendable (String) -> String
    private let mailReply: String
    private let dataReply: String
    private let received = Mutex<[Received]>([])
    private let stopped = Mutex(false)

    /// `password`: AUTH PLAIN must carry it (any user), or 535; nil takes mail without AUTH.
    /// `rcptReply` answers `RCPT TO` for an address (`250 OK`, `550 5.1.1 no such user`, …);
    /// `mailReply` answers `MAIL FROM`, `dataReply` the end of the message (a 5xx there refuses it).
    public init(password: String? = nil, mailReply: String = "250 2.1.0 OK", dataReply: String = "250 2.0.0 OK queued",
                rcptReply: @escaping @Sendable (String) -> String = { _ in "250 2.1.5 OK" }) throws {
        self.password = password
        self.mailReply = mailReply
        self.dataReply = dataReply
        self.rcptReply = rcptReply
        let (listener, boundPort) = try LoopbackSocket.bound(to: 0)
        guard listen(listener, 64) == 0 else {
            close(listener)
            throw LoopbackGateway.GatewayError(description: "smtp listen: \(errno)")
        }
        port = boundPort
        self.listener = listener
        Thread { [self] in acceptLoop() }.start()
    }

    deinit { stop() }

    public var url: String { "smtp://127.0.0.1:\(port)" }

    public var messages: [Received] { received.withLock { $0 } }

    /// Stops listening; the accept loop closes the socket (as `LoopbackGateway` does).
    public func stop() {
        stopped.withLock { stopped in
            guard !stopped else { return }
            stopped = true
            shutdown(listener, Int32(SHUT_RDWR))
        }
    }

    private func acceptLoop() {
        defer { close(listener) }
        while true {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else {
                if errno == EINTR { continue }
                return
            }
            if stopped.withLock({ $0 }) {
                close(connection)
                return
            }
            var timeout = timeval(tv_sec: 10, tv_usec: 0)
            setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            Thread { [self] in serve(connection) }.start()
        }
    }

    private func serve(_ connection: Int32) {
        defer { close(connection) }
        var reader = LineSource(connection: connection)
        func say(_ line: String) { _ = Array((line + "\r\n").utf8).withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } }
        say("220 herald-test ESMTP")
        var from = ""
        var recipients: [String] = []
        var login: String?
        while let line = reader.next() {
            let upper = line.uppercased()
            if upper.hasPrefix("EHLO") || upper.hasPrefix("HELO") {
                say("250-herald-test")
                say(password == nil ? "250 8BITMIME" : "250-AUTH PLAIN")
                if password != nil { say("250 8BITMIME") }
            } else if upper.hasPrefix("AUTH PLAIN") {
                var credentials = String(line.dropFirst("AUTH PLAIN".count)).trimmingCharacters(in: .whitespaces)
                if credentials.isEmpty {
                    say("334 ")
                    credentials = reader.next() ?? ""
                }
                let parts = Data(base64Encoded: credentials).map { String(decoding: $0, as: UTF8.self) }?
                    .split(separator: "\u{0}", omittingEmptySubsequences: false).map(String.init) ?? []
                if parts.count == 3, parts[2] == password {
                    login = parts[1] + ":" + parts[2]
                    say("235 2.7.0 Authentication successful")
                } else {
                    say("535 5.7.8 Authentication credentials invalid")
                }
            } else if upper.hasPrefix("MAIL FROM:") {
                guard password == nil || login != nil else {
                    say("530 5.7.0 Authentication required")
                    continue
                }
                from = Self.bracketed(line)
                recipients = []
                say(mailReply)
            } else if upper.hasPrefix("RCPT TO:") {
                let reply = rcptReply(Self.bracketed(line))
                if reply.hasPrefix("2") { recipients.append(Self.bracketed(line)) }
                say(reply)
            } else if upper == "DATA" {
                guard !recipients.isEmpty else {
                    say("554 5.5.1 No valid recipients")
                    continue
                }
                say("354 End data with <CR><LF>.<CR><LF>")
                var lines: [String] = []
                while let dataLine = reader.next(), dataLine != "." {
                    lines.append(dataLine.hasPrefix("..") ? String(dataLine.dropFirst()) : dataLine)
                }
                guard dataReply.hasPrefix("2") else {
                    say(dataReply)
                    continue
                }
                let message = Received(from: from, recipients: recipients, login: login,
                                       data: lines.joined(separator: "\r\n") + "\r\n")
                received.withLock { $0.append(message) }
                say(dataReply + " as T\(received.withLock { $0.count })")
            } else if upper == "RSET" || upper == "NOOP" {
                say("250 2.0.0 OK")
            } else if upper == "QUIT" {
                say("221 2.0.0 Bye")
                return
            } else {
                say("502 5.5.2 Command not recognized")
            }
        }
    }

    /// The address between `<` and `>` in a command.
    private static func bracketed(_ line: String) -> String {
        guard let open = line.firstIndex(of: "<"), let close = line.lastIndex(of: ">"), open < close else { return "" }
        return String(line[line.index(after: open)..<close])
    }

    /// CRLF lines from a socket.
    private struct LineSource {
        let connection: Int32
        var buffer: [UInt8] = []

        mutating func next() -> String? {
            while true {
                if let end = buffer.firstIndex(of: 10) {
                    var line = Array(buffer[..<end])
                    buffer.removeFirst(end + 1)
                    if line.last == 13 { line.removeLast() }
                    return String(decoding: line, as: UTF8.self)
                }
                var chunk = [UInt8](repeating: 0, count: 4096)
                let count = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
                guard count > 0 else { return nil }
                buffer += chunk[0..<count]
            }
        }
    }
}
