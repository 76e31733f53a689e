import CMicroHTTPD
import Foundation

/// The C side of `HTTPServer`: libmicrohttpd calls `access` once when the head of a request
/// has arrived, once per piece of body, and once more when the body is complete; the request's
/// state lives in a box behind `con_cls` until `completed` releases it.
///
/// A route that answers later (after a commit) has its connection suspended: libmicrohttpd
/// stops polling it and frees the thread, and `Pending.deliver` resumes it, upon which
/// `access` is called once more and queues the answer.
extension HTTPServer {
    /// One request's state between libmicrohttpd's calls.
    final class Pending: @unchecked Sendable {
        // @unchecked: `body`, `tooLarge` and `started` are touched on the connection's server
        // thread only; `response` and `suspended` under `lock`, which the answering thread shares.
        var body: [UInt8] = []
        var tooLarge = false
        var started = false
        private let lock = NSLock()
        private var response: EdgeResponse?
        private var suspended = false

        /// The route's answer, from whichever thread has it; resumes the connection if it waits.
        func deliver(_ response: EdgeResponse, to connection: Connection, of server: HTTPServer) {
            let resume = lock.withLock {
                self.response = response
                defer { suspended = false }
                return suspended
            }
            if resume {
                MHD_resume_connection(connection.pointer)
                server.suspensions.resumed()
            }
        }

        /// The answer if it is there; otherwise suspends the connection until `deliver`. Under
        /// the lock, so an answer arriving meanwhile either is seen here or finds it suspended.
        func answerOrSuspend(_ connection: Connection, of server: HTTPServer) -> EdgeResponse? {
            lock.withLock {
                if let response {
                    self.response = nil
                    return response
                }
                suspended = true
                server.suspensions.suspended()
                MHD_suspend_connection(connection.pointer)
                return nil
            }
        }
    }

    /// A libmicrohttpd connection, handed to the thread that answers it.
    struct Connection: @unchecked Sendable {
        // @unchecked: libmicrohttpd allows resuming from any thread.
        let pointer: OpaquePointer
    }

    static let access: MHD_AccessHandlerCallback = { context, connection, url, method, _, upload, uploadSize, state in
        guard let context, let connection, let state, let uploadSize else { return .NO }
        let server = Unmanaged<HTTPServer>.fromOpaque(context).takeUnretainedValue()
        guard let box = state.pointee else {
            // The head: refuse a body announced too large before reading it, else make room for it.
            if let length = herald_mhd_header(connection, "Content-Length").flatMap({ Int(String(cString: $0)) }),
               length > server.limits.bodyBytes {
                return HTTPServer.queue(.text(413, "request body over \(server.limits.bodyBytes) bytes\n"), on: connection)
            }
            state.pointee = Unmanaged.passRetained(Pending()).toOpaque()
            return .YES
        }
        let pending = Unmanaged<Pending>.fromOpaque(box).takeUnretainedValue()
        if uploadSize.pointee > 0 {
            if !pending.tooLarge, pending.body.count + uploadSize.pointee <= server.limits.bodyBytes, let upload {
                upload.withMemoryRebound(to: UInt8.self, capacity: uploadSize.pointee) { bytes in
                    pending.body.append(contentsOf: UnsafeBufferPointer(start: bytes, count: uploadSize.pointee))
                }
            } else {
                pending.tooLarge = true
                pending.body = []
            }
            uploadSize.pointee = 0
            return .YES
        }
        let handle = Connection(pointer: connection)
        if !pending.started {
            pending.started = true
            if pending.tooLarge {
                pending.deliver(.text(413, "request body over \(server.limits.bodyBytes) bytes\n"), to: handle, of: server)
            } else {
                var request = EdgeRequest(method: method.map { String(cString: $0) } ?? "GET",
                                          path: url.map { String(cString: $0) } ?? "/", body: pending.body)
                request.headers = HTTPServer.values(of: connection, .HEADER_KIND, lowercased: true)
                request.arguments = HTTPServer.values(of: connection, .GET_ARGUMENT_KIND, lowercased: false)
                request.clientAddress = herald_mhd_client_address(connection).flatMap(ListenAddress.numericHost)
                server.handler.respond(to: request) { [unowned server] response in
                    pending.deliver(response, to: handle, of: server)
                }
            }
        }
        guard let response = pending.answerOrSuspend(handle, of: server) else { return .YES }
        return HTTPServer.queue(response, on: connection)
    }

    static let completed: MHD_RequestCompletedCallback = { _, _, state, _ in
        guard let state, let box = state.pointee else { return }
        Unmanaged<Pending>.fromOpaque(box).release()
        state.pointee = nil
    }

    /// Headers (names lower-cased) or query arguments (libmicrohttpd passes the path without
    /// the query, which it has parsed and decoded).
    private static func values(of connection: OpaquePointer, _ kind: MHD_ValueKind,
                               lowercased: Bool) -> [String: String] {
        final class Collected {
            var values: [String: String] = [:]
            var lowercased = false
        }
        let collected = Collected()
        collected.lowercased = lowercased
        let context = Unmanaged.passUnretained(collected).toOpaque()
        _ = MHD_get_connection_values(connection, kind, { context, _, key, value in
            guard let context, let key else { return .YES }
            let collected = Unmanaged<Collected>.fromOpaque(context).takeUnretainedValue()
            let name = String(cString: key)
            collected.values[collected.lowercased ? name.lowercased() : name] = value.map { String(cString: $0) } ?? ""
            return .YES
        }, context)
        return collected.values
    }

    /// libmicrohttpd leaves the body out of a HEAD answer itself (keeping its length).
    private static func queue(_ response: EdgeResponse, on connection: OpaquePointer) -> MHD_Result {
        var body = response.body
        let created = body.withUnsafeMutableBytes { bytes in
            MHD_create_response_from_buffer(bytes.count, bytes.baseAddress, .RESPMEM_MUST_COPY)
        }
        guard let created else { return .NO }
        defer { MHD_destroy_response(created) }
        for (name, value) in response.headers {
            _ = MHD_add_response_header(created, name, value)
        }
        return MHD_queue_response(connection, UInt32(response.status), created)
    }
}
