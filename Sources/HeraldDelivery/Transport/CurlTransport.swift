import CCurl
import Foundation
import Synchronization

/// Every HTTP exchange (and SMTP delivery) of the process on one `curl_multi` handle, driven by one thread: the
/// connection pool, HTTP/2 multiplexing where the server offers it, and timeouts are
/// libcurl's. Callers `await perform(_:)`; the thread resumes them as transfers finish.
///
/// Fixed policy, not options: TLS peer and host verification always on (a CA file may
/// replace the system store); redirects never followed (a 3xx comes back as the response);
/// only http and https; response bodies kept up to `maximumResponseBytes`, the transfer
/// stopped beyond; `Expect: 100-continue` never sent; no signals (`CURLOPT_NOSIGNAL`).
/// Not covered: proxies other than curl's environment variables, cookies, request bodies
/// streamed from disk.
public final class CurlTransport: HTTPTransport, MailTransport {
    /// The process's transport: one pool of connections for every channel.
    public static let shared = CurlTransport()

    public static let maximumResponseBytes = 64 * 1024

    private let shared: CurlShared

    public init() {
        _ = Self.globalInitialization
        shared = CurlShared()
        let engine = CurlEngine(shared: shared)
        let thread = Thread { engine.run() }
        thread.name = "herald-curl"
        thread.start()
    }

    /// libcurl's global setup, once per process, before any handle exists.
    private static let globalInitialization: Void = {
        curl_global_init(herald_curl_global_default())
    }()

    public func perform(_ request: HTTPRequest) async -> Result<HTTPResponse, HTTPFailure> {
        await run(CurlTransfer(.http(request)))
    }

    /// An e-mail over SMTP: the server's reply code when it gave one (250 taken; a 4xx or 5xx
    /// for the command it refused), a failure when it gave none.
    public func send(_ mail: MailRequest) async -> Result<MailReply, HTTPFailure> {
        // The engine reports an SMTP reply as a response whose status is the reply code.
        await run(CurlTransfer(.mail(mail))).map { MailReply(code: $0.status, text: String(decoding: $0.body, as: UTF8.self)) }
    }

    private func run(_ transfer: CurlTransfer) async -> Result<HTTPResponse, HTTPFailure> {
        if Task.isCancelled { return .failure(.cancelled) }
        let shared = self.shared
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                transfer.continuation = continuation
                if !shared.submit(transfer) { transfer.finish(.failure(.cancelled)) }
            }
        } onCancel: {
            shared.cancel(transfer)
        }
    }

    /// Stops the thread once the transfers in flight have finished; later calls fail as
    /// cancelled. The shared transport is never closed.
    public func close() { shared.close() }
}
