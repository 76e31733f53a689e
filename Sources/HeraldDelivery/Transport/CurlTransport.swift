import CCurl
import Foundation
import Synchronization

/// Every HTTP exchange of the process on one `curl_multi` handle, driven by one thread: the
/// connection pool, HTTP/2 multiplexing where the server offers it, and timeouts are
/// libcurl's. Callers `await perform(_:)`; the thread resumes them as transfers finish.
///
/// Fixed policy, not options: TLS peer and host verification always on (a CA file may
/// replace the system store); redirects never followed (a 3xx comes back as the response);
/// only http and https; response bodies kept up to `maximumResponseBytes`, the transfer
/// stopped beyond; `Expect: 100-continue` never sent; no signals (`CURLOPT_NOSIGNAL`).
/// Not covered: proxies other than curl's environment variables, cookies, request bodies
/// streamed from disk.
public final class CurlTransport: HTTPTransport {
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
        if Task.isCancelled { return .failure(.cancelled) }
        let transfer = CurlTransfer(request: request)
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

/// What the callers' threads and the transport's thread share: the inbox (under a lock) and
/// the `CURLM *`. libcurl allows `curl_multi_wakeup` from any thread; every other call on the
/// handle is made by the transport's thread alone, which is why the pointer may be shared.
final class CurlShared: @unchecked Sendable {
    struct Inbox {
        var submitted: [CurlTransfer] = []
        var hasCancellations = false
        var isClosing = false
    }

    let multi: UnsafeMutableRawPointer
    let inbox = Mutex(Inbox())

    init() {
        guard let multi = curl_multi_init() else { fatalError("curl_multi_init: out of memory") }
        self.multi = multi
        // Multiplex HTTP/2 streams on one connection; keep enough idle connections for bursts.
        herald_curl_multi_setopt_long(multi, CURLMOPT_PIPELINING, Int(CURLPIPE_MULTIPLEX))
        herald_curl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, 1024)
    }

    /// False when the transport is closing.
    func submit(_ transfer: CurlTransfer) -> Bool {
        let accepted = inbox.withLock { inbox -> Bool in
            guard !inbox.isClosing else { return false }
            inbox.submitted.append(transfer)
            return true
        }
        if accepted { curl_multi_wakeup(multi) }
        return accepted
    }

    func cancel(_ transfer: CurlTransfer) {
        transfer.isCancelRequested.store(true, ordering: .releasing)
        inbox.withLock { $0.hasCancellations = true }
        curl_multi_wakeup(multi)
    }

    func close() {
        inbox.withLock { $0.isClosing = true }
        curl_multi_wakeup(multi)
    }
}

/// One exchange. Made by the caller and handed to the transport's thread once, through the
/// inbox; from then on only that thread touches it (the cancel flag is atomic), which is why
/// it may cross threads.
final class CurlTransfer: @unchecked Sendable {
    let request: HTTPRequest
    var continuation: CheckedContinuation<Result<HTTPResponse, HTTPFailure>, Never>?
    let isCancelRequested = Atomic(false)

    var easy: UnsafeMutableRawPointer?
    var headerList: UnsafeMutablePointer<curl_slist>?
    var requestBody: UnsafeMutableBufferPointer<UInt8>?
    let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
    var responseHeaders: [(name: String, value: String)] = []
    var responseBody: [UInt8] = []
    var isBodyTruncated = false

    init(request: HTTPRequest) {
        self.request = request
        errorBuffer[0] = 0
    }

    deinit {
        errorBuffer.deallocate()
        requestBody?.deallocate()
        if let headerList { curl_slist_free_all(headerList) }
    }

    /// Resumes the caller, exactly once.
    func finish(_ result: Result<HTTPResponse, HTTPFailure>) {
        continuation?.resume(returning: result)
        continuation = nil
    }
}
