import CCurl
import Synchronization

/// One exchange. Made by the caller and handed to the transport's thread once, through the
/// inbox; from then on only that thread touches it (the cancel flag is atomic), which is why
/// it may cross threads.
final class CurlTransfer: @unchecked Sendable {
    /// What is exchanged: an HTTP request, or an e-mail over SMTP.
    enum Exchange {
        case http(HTTPRequest)
        case mail(MailRequest)
    }

    let exchange: Exchange
    var continuation: CheckedContinuation<Result<HTTPResponse, HTTPFailure>, Never>?
    let isCancelRequested = Atomic(false)

    var easy: UnsafeMutableRawPointer?
    var headerList: UnsafeMutablePointer<curl_slist>?
    var requestBody: UnsafeMutableBufferPointer<UInt8>?
    /// How much of an e-mail's message libcurl has read (`CURLOPT_READFUNCTION`).
    var uploadOffset = 0
    let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
    var responseHeaders: [(name: String, value: String)] = []
    var responseBody: [UInt8] = []
    var isBodyTruncated = false

    init(_ exchange: Exchange) {
        self.exchange = exchange
        errorBuffer[0] = 0
    }

    deinit {
        errorBuffer.deallocate()
        requestBody?.deallocate()
        if let headerList { curl_slist_free_all(headerList) }
    }

    /// A copy of `bytes` that lives as long as the transfer (libcurl reads it during the
    /// exchange), freed at deinit; its start.
    func keepBody(_ bytes: [UInt8]) -> UnsafeMutablePointer<UInt8>? {
        let body = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(1, bytes.count))
        _ = body.initialize(from: bytes)
        requestBody = body
        return body.baseAddress
    }

    /// Resumes the caller, exactly once.
    func finish(_ result: Result<HTTPResponse, HTTPFailure>) {
        continuation?.resume(returning: result)
        continuation = nil
    }
}
