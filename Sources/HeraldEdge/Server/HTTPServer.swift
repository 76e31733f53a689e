import CMicroHTTPD
import Foundation

/// The edge's HTTP/1.1 server: libmicrohttpd (Debian's `libmicrohttpd-dev`, the library
/// systemd-journal-remote embeds) with its own threads, in front of one `EdgeHandler`.
///
/// Why a library and not our own sockets: request parsing, keep-alive, pipelining, chunked
/// bodies, slow clients and connection limits are where hand-written servers break, and
/// libmicrohttpd has been hardened against exactly those for years. What Herald adds here is
/// only the bounds: the request line and headers must fit `Limits.headerBytes`, bodies
/// `Limits.bodyBytes` (413 otherwise), an idle connection is closed after `Limits.idleTimeout`,
/// and at most `Limits.connections` are open at once.
public final class HTTPServer: @unchecked Sendable {
    // @unchecked: `daemon` is set once in init and only read after; libmicrohttpd is thread-safe
    // for the calls made on it (stop, info), and `handler` is Sendable.
    public struct Limits: Sendable {
        public var headerBytes = 16 * 1024
        public var bodyBytes = 1024 * 1024
        public var idleTimeout = 10
        public var connections = 512
        public var threads = 2

        public init() {}
    }

    let handler: any EdgeHandler
    let limits: Limits
    let suspensions = SuspendedConnections()
    private var daemon: OpaquePointer?
    /// The port listened on (the one the kernel chose when asked for port 0).
    public private(set) var port: UInt16 = 0

    /// Listens on `address` (`127.0.0.1:8080`, `[::1]:8080`, `0.0.0.0:80`).
    public init(listen address: String, handler: any EdgeHandler, limits: Limits = Limits()) throws {
        self.handler = handler
        self.limits = limits
        let socketAddress = try ListenAddress(address)
        let context = Unmanaged.passUnretained(self).toOpaque()
        // libmicrohttpd needs room for its own bookkeeping beside the request head.
        let memory = limits.headerBytes + 16 * 1024
        daemon = socketAddress.withSocketAddress { pointer in
            herald_mhd_start(pointer, socketAddress.isIPv6 ? 1 : 0, UInt32(limits.threads), UInt32(limits.connections), UInt32(limits.idleTimeout),
                             memory, HTTPServer.access, HTTPServer.completed, context)
        }
        guard let daemon else {
            throw ServerError(description: "cannot listen on \(address): \(String(cString: strerror(errno)))")
        }
        port = herald_mhd_bound_port(daemon)
    }

    /// Stops listening and closes every connection; requests in progress finish first, and
    /// those waiting for an answer (a commit) get it. The longest that wait may take.
    static let answerWait: TimeInterval = 30

    /// Stops listening and closes every connection once no request waits for its answer.
    public func stop() {
        guard let daemon else { return }
        self.daemon = nil
        // No new connections; kept-alive ones may still ask, and are answered.
        let listener = MHD_quiesce_daemon(daemon)
        guard suspensions.waitUntilNone(timeout: Self.answerWait) else {
            // libmicrohttpd aborts if stopped with a suspended connection: leave it running
            // (this happens only on the way out, with a store that no longer answers).
            return
        }
        MHD_stop_daemon(daemon)
        if listener >= 0 { close(listener) }
    }

    deinit { stop() }

    public struct ServerError: Error, CustomStringConvertible {
        public var description: String
    }
}
