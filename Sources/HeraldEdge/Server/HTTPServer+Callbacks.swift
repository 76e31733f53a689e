import CMicroHTTPD
import Foundation

/// The C side of `HTTPServer`: libmicrohttpd calls `access` once when the head of a request
/// has arrived, once per piece of body, and once more when the body is complete; the request's
/// state (`PendingRequest`) lives in a box behind `con_cls` until `completed` releases it.
///
/// A route that answers later (after a commit) has its connection suspended, which frees the
/// server thread; the answer resumes it, and `access` is called once more to queue it.
extension HTTPServer {
    static let access: MHD_AccessHandlerCallback = { context, connection, url, method, _, upload, uploadSize, state in
        guard let context, let connection, let state, let uploadSize else { return .NO }
        let server = Unmanaged<HTTPServer>.fromOpaque(context).takeUnretainedValue()
        guard let box = state.pointee else {
            // The head: refuse a body announced too large before reading it, else make room for it.
            if let length = herald_mhd_header(connection, "Content-Length").flatMap({ Int(String(cString: $0)) }),
               length > server.limits.bodyBytes {
                return HTTPServer.queue(server.tooLarge, on: connection)
            }
            guard server.gate.admit() else {
                var stopping = EdgeResponse.text(503, "the edge is stopping; try again\n")
                stopping.headers["Connection"] = "close"
                return HTTPServer.queue(stopping, on: connection)
            }
            state.pointee = Unmanaged.passRetained(PendingRequest()).toOpaque()
            return .YES
        }
        let pending = Unmanaged<PendingRequest>.fromOpaque(box).takeUnretainedValue()
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
        if !pending.started {
            pending.started = true
            if pending.tooLarge {
                pending.deliver(server.tooLarge)
            } else {
                let request = HTTPServer.request(connection, method: method, url: url, body: pending.body)
                server.handler.respond(to: request) { pending.deliver($0) }
            }
        }
        guard let response = pending.answerOrSuspend(connection) else { return .YES }
        return HTTPServer.queue(response, on: connection)
    }

    /// The request's answer went out, or its connection closed: the box is released and the
    /// gate told (`stop` waits for this).
    static let completed: MHD_RequestCompletedCallback = { context, _, state, _ in
        guard let context, let state, let box = state.pointee else { return }
        Unmanaged<PendingRequest>.fromOpaque(box).release()
        state.pointee = nil
        Unmanaged<HTTPServer>.fromOpaque(context).takeUnretainedValue().gate.finished()
    }

    private var tooLarge: EdgeResponse { .text(413, "request body over \(limits.bodyBytes) bytes\n") }

    /// The request as routes see it: method, path, headers, query arguments, body and peer.
    private static func request(_ connection: OpaquePointer, method: UnsafePointer<CChar>?, url: UnsafePointer<CChar>?,
                                body: [UInt8]) -> EdgeRequest {
        var request = EdgeRequest(method: method.map { String(cString: $0) } ?? "GET",
                                  path: url.map { String(cString: $0) } ?? "/", body: body)
        request.headers = values(of: connection, .HEADER_KIND, lowercased: true)
        request.arguments = values(of: connection, .GET_ARGUMENT_KIND, lowercased: false)
        request.clientAddress = herald_mhd_client_address(connection).flatMap(PeerAddress.text)
        return request
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
