import CMicroHTTPD
import Foundation

/// The C side of `HTTPServer`: libmicrohttpd calls `access` once when the head of a request
/// has arrived, once per piece of body, and once more when the body is complete; the request's
/// state lives in a box behind `con_cls` until `completed` releases it.
extension HTTPServer {
    /// One request's state between libmicrohttpd's calls.
    final class Pending {
        var body: [UInt8] = []
        var tooLarge = false
    }

    static let access: MHD_AccessHandlerCallback = { context, connection, url, method, _, upload, uploadSize, state in
        guard let context, let connection, let state, let uploadSize else { return .NO }
        let server = Unmanaged<HTTPServer>.fromOpaque(context).takeUnretainedValue()
        guard let box = state.pointee else {
            // The head: make room for the body.
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
        let response: EdgeResponse
        if pending.tooLarge {
            response = .text(413, "request body over \(server.limits.bodyBytes) bytes\n")
        } else {
            var request = EdgeRequest(method: method.map { String(cString: $0) } ?? "GET",
                                      path: url.map { String(cString: $0) } ?? "/", body: pending.body)
            request.headers = HTTPServer.values(of: connection, .HEADER_KIND, lowercased: true)
            request.arguments = HTTPServer.values(of: connection, .GET_ARGUMENT_KIND, lowercased: false)
            response = server.handler.respond(to: request)
        }
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
