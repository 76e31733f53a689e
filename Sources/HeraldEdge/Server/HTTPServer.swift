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
    // @unchecked: `daemon` is set in init and cleared once under `stopping`; libmicrohttpd is
    // thread-safe for the calls made on it (quiesce, stop, info), and `handler` is Sendable.
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
    let gate = RequestGate()
    private let stopping = NSLock()
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
            herald_mhd_start(pointer, socketAddress.isIPv6 ? 1 : 0, UInt32(limits.threads), UInt32(limits.connections),
                             UInt32(limits.idleTimeout),
                             memory, HTTPServer.access, HTTPServer.completed, context)
        }
        guard let daemon else {
            throw ServerError(description: "cannot listen on \(address): \(String(cString: strerror(errno)))")
        }
        port = herald_mhd_bound_port(daemon)
    }

    /// The longest `stop` waits for the answers on their way (a commit under way).
    static let answerWait: Duration = .seconds(30)

    /// Stops listening and closes every connection once every request taken on has been
    /// answered (those waiting for a commit included); new requests meanwhile get a 503.
    public func stop() {
        stopping.withLock {
            guard let daemon else { return }
            // No new connections; requests on kept-alive ones are refused by the gate.
            let listener = MHD_quiesce_daemon(daemon)
            guard gate.close(waitingAtMost: Self.answerWait) else {
                // libmicrohttpd aborts if stopped with a connection suspended: leave it running,
                // and keep this object alive for its threads (only on the way out, with a store
                // that no longer answers).
                _ = Unmanaged.passRetained(self)
                return
            }
            MHD_stop_daemon(daemon)
            if listener >= 0 { close(listener) }
            self.daemon = nil
        }
    }

    deinit { stop() }

    public struct ServerError: Error, CustomStringConvertible {
        public var description: String
    }
}
