import CCurl
import Foundation
import HeraldCore
import Synchronization

/// The transport's thread: takes submitted transfers, drives the multi handle, finishes
/// transfers as libcurl reports them done. Everything in here runs on that one thread.
final class CurlEngine: @unchecked Sendable {
    private let shared: CurlShared
    private var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]
    /// Easy handles kept for reuse (`curl_easy_reset` keeps nothing but the allocation;
    /// connections live in the multi handle's pool).
    private var idleHandles: [UnsafeMutableRawPointer] = []
    private static let idleHandleLimit = 256
    private static let userAgent = "Herald"

    init(shared: CurlShared) {
        self.shared = shared
    }

    func run() {
        let multi = shared.multi
        while true {
            let (submitted, hasCancellations, isClosing) = shared.inbox.withLock { inbox in
                defer {
                    inbox.submitted.removeAll(keepingCapacity: true)
                    inbox.hasCancellations = false
                }
                return (inbox.submitted, inbox.hasCancellations, inbox.isClosing)
            }
            for transfer in submitted {
                if transfer.isCancelRequested.load(ordering: .acquiring) {
                    transfer.finish(.failure(.cancelled))
                } else {
                    start(transfer)
                }
            }
            if hasCancellations {
                for (easy, transfer) in active where transfer.isCancelRequested.load(ordering: .acquiring) {
                    end(easy)
                    transfer.finish(.failure(.cancelled))
                }
            }
            var running: Int32 = 0
            curl_multi_perform(multi, &running)
            var queued: Int32 = 0
            while let message = curl_multi_info_read(multi, &queued) {
                guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
                let code = message.pointee.data.result
                guard let transfer = active[easy] else { continue }
                let result = outcome(of: transfer, code: code)
                end(easy)
                transfer.finish(result)
            }
            if isClosing && active.isEmpty { break }
            var descriptors: Int32 = 0
            curl_multi_poll(multi, nil, 0, 1000, &descriptors)
        }
        shared.markClosed()
        for handle in idleHandles { curl_easy_cleanup(handle) }
        curl_multi_cleanup(multi)
    }

    private func start(_ transfer: CurlTransfer) {
        let (url, schemes) = switch transfer.exchange {
        case .http(let request): (request.url, ["http://", "https://"])
        case .mail(let mail): (mail.url, ["smtp://", "smtps://"])
        }
        guard schemes.contains(where: url.lowercased().hasPrefix) else {
            transfer.finish(.failure(.invalidRequest("only \(schemes.joined(separator: " and ")) URLs are called here")))
            return
        }
        guard let easy = idleHandles.popLast() ?? curl_easy_init() else {
            transfer.finish(.failure(.connection("out of memory")))
            return
        }
        transfer.easy = easy
        let problem = configure(easy, for: transfer)
        guard problem == CURLE_OK else {
            recycle(easy)
            transfer.finish(.failure(.invalidRequest(String(cString: curl_easy_strerror(problem)))))
            return
        }
        let added = curl_multi_add_handle(shared.multi, easy)
        guard added == CURLM_OK else {
            recycle(easy)
            transfer.finish(.failure(.connection(String(cString: curl_multi_strerror(added)))))
            return
        }
        active[easy] = transfer
    }

    /// Every option of one exchange; the first option curl refuses, or `CURLE_OK`. What both
    /// protocols share is set here: the URL and its allowed schemes, no signals, TLS always
    /// verified, the timeouts and the error buffer.
    private func configure(_ easy: UnsafeMutableRawPointer, for transfer: CurlTransfer) -> CURLcode {
        var problem: CURLcode = CURLE_OK
        func set(_ code: CURLcode) { if problem == CURLE_OK { problem = code } }
        let (url, protocols, timeout, connectTimeout, caFile) = switch transfer.exchange {
        case .http(let request): (request.url, "http,https", request.timeout, request.connectTimeout, request.caFile)
        case .mail(let mail): (mail.url, "smtp,smtps", mail.timeout, mail.connectTimeout, mail.caFile)
        }
        set(herald_curl_easy_setopt_string(easy, CURLOPT_URL, url))
        set(herald_curl_easy_setopt_string(easy, CURLOPT_PROTOCOLS_STR, protocols))
        set(herald_curl_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1))
        set(herald_curl_easy_setopt_long(easy, CURLOPT_SSL_VERIFYPEER, 1))
        set(herald_curl_easy_setopt_long(easy, CURLOPT_SSL_VERIFYHOST, 2))
        if let caFile { set(herald_curl_easy_setopt_string(easy, CURLOPT_CAINFO, caFile)) }
        set(herald_curl_easy_setopt_long(easy, CURLOPT_TIMEOUT_MS, timeout.wholeMilliseconds))
        set(herald_curl_easy_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, connectTimeout.wholeMilliseconds))
        set(herald_curl_easy_setopt_pointer(easy, CURLOPT_ERRORBUFFER, transfer.errorBuffer))
        switch transfer.exchange {
        case .http(let request): set(configure(easy, for: transfer, request))
        case .mail(let mail): set(configure(easy, for: transfer, mail))
        }
        return problem
    }

    /// An HTTP request: no redirects, HTTP/2 where TLS offers it, headers, the body.
    private func configure(_ easy: UnsafeMutableRawPointer, for transfer: CurlTransfer, _ request: HTTPRequest) -> CURLcode {
        let context = Unmanaged.passUnretained(transfer).toOpaque()
        var problem: CURLcode = CURLE_OK
        func set(_ code: CURLcode) { if problem == CURLE_OK { problem = code } }
        set(herald_curl_easy_setopt_long(easy, CURLOPT_FOLLOWLOCATION, 0))
        set(herald_curl_easy_setopt_long(easy, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS))
        set(herald_curl_easy_setopt_long(easy, CURLOPT_TCP_KEEPALIVE, 1))
        set(herald_curl_easy_setopt_string(easy, CURLOPT_USERAGENT, Self.userAgent))
        set(herald_curl_easy_setopt_callback(easy, CURLOPT_WRITEFUNCTION, curlWriteBody))
        set(herald_curl_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, context))
        set(herald_curl_easy_setopt_callback(easy, CURLOPT_HEADERFUNCTION, curlWriteHeader))
        set(herald_curl_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, context))
        var list: UnsafeMutablePointer<curl_slist>?
        for (name, value) in request.headers { list = curl_slist_append(list, "\(name): \(value)") }
        list = curl_slist_append(list, "Expect:")
        transfer.headerList = list
        set(herald_curl_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, list))
        if request.method == "GET" {
            set(herald_curl_easy_setopt_long(easy, CURLOPT_HTTPGET, 1))
            return problem
        }
        let body = transfer.keepBody(request.body)
        set(herald_curl_easy_setopt_long(easy, CURLOPT_POST, 1))
        set(herald_curl_easy_setopt_long(easy, CURLOPT_POSTFIELDSIZE, request.body.count))
        set(herald_curl_easy_setopt_pointer(easy, CURLOPT_POSTFIELDS, body))
        if request.method != "POST" { set(herald_curl_easy_setopt_string(easy, CURLOPT_CUSTOMREQUEST, request.method)) }
        return problem
    }

    /// An e-mail: the envelope, the message read from memory, TLS required unless told not to
    /// (a loopback test server), login when a user name is given.
    private func configure(_ easy: UnsafeMutableRawPointer, for transfer: CurlTransfer, _ mail: MailRequest) -> CURLcode {
        let context = Unmanaged.passUnretained(transfer).toOpaque()
        var problem: CURLcode = CURLE_OK
        func set(_ code: CURLcode) { if problem == CURLE_OK { problem = code } }
        let tls = mail.requiresTLS ? CURLUSESSL_ALL.rawValue : CURLUSESSL_NONE.rawValue
        set(herald_curl_easy_setopt_long(easy, CURLOPT_USE_SSL, Int(tls)))
        if let username = mail.username { set(herald_curl_easy_setopt_string(easy, CURLOPT_USERNAME, username)) }
        if let password = mail.password { set(herald_curl_easy_setopt_string(easy, CURLOPT_PASSWORD, password)) }
        set(herald_curl_easy_setopt_string(easy, CURLOPT_MAIL_FROM, "<\(mail.from)>"))
        var list: UnsafeMutablePointer<curl_slist>?
        for recipient in mail.recipients { list = curl_slist_append(list, "<\(recipient)>") }
        transfer.headerList = list
        set(herald_curl_easy_setopt_slist(easy, CURLOPT_MAIL_RCPT, list))
        _ = transfer.keepBody(mail.message)
        set(herald_curl_easy_setopt_long(easy, CURLOPT_UPLOAD, 1))
        set(herald_curl_easy_setopt_long(easy, CURLOPT_INFILESIZE_LARGE, mail.message.count))
        set(herald_curl_easy_setopt_callback(easy, CURLOPT_READFUNCTION, curlReadMessage))
        set(herald_curl_easy_setopt_pointer(easy, CURLOPT_READDATA, context))
        return problem
    }

    /// Takes the transfer's handle out of the multi handle and keeps it for reuse.
    private func end(_ easy: UnsafeMutableRawPointer) {
        curl_multi_remove_handle(shared.multi, easy)
        active[easy] = nil
        recycle(easy)
    }

    private func recycle(_ easy: UnsafeMutableRawPointer) {
        if idleHandles.count < Self.idleHandleLimit {
            curl_easy_reset(easy)
            idleHandles.append(easy)
        } else {
            curl_easy_cleanup(easy)
        }
    }

    private func outcome(of transfer: CurlTransfer, code: CURLcode) -> Result<HTTPResponse, HTTPFailure> {
        var status = 0
        if let easy = transfer.easy { herald_curl_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status) }
        let detail = transfer.errorBuffer[0] != 0
            ? String(cString: transfer.errorBuffer) : String(cString: curl_easy_strerror(code))
        if case .mail = transfer.exchange {
            // Taken only when the whole exchange succeeded: libcurl keeps the last reply code,
            // which is a 2xx too when the exchange broke after one (no STARTTLS offered, a
            // certificate that does not verify, a timeout after RCPT).
            if code == CURLE_OK { return .success(HTTPResponse(status: 250, headers: [], body: [])) }
            if code == CURLE_LOGIN_DENIED { return .success(HTTPResponse(status: 535, headers: [], body: Array(detail.utf8))) }
            // A command the server refused: its 4xx/5xx, with libcurl's account of which command.
            if (400..<600).contains(status), [CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_WEIRD_SERVER_REPLY].contains(code) {
                return .success(HTTPResponse(status: status, headers: [], body: Array(detail.utf8)))
            }
        }
        // A body cut at the cap ends the transfer with a write error; the status is known.
        if code == CURLE_OK || (code == CURLE_WRITE_ERROR && transfer.isBodyTruncated), status > 0 {
            var version = 0
            if let easy = transfer.easy { herald_curl_easy_getinfo_long(easy, CURLINFO_HTTP_VERSION, &version) }
            let versionText = switch version {
            case CURL_HTTP_VERSION_1_0: "1.0"
            case CURL_HTTP_VERSION_2_0: "2"
            case CURL_HTTP_VERSION_3: "3"
            default: "1.1"
            }
            return .success(HTTPResponse(status: status, headers: transfer.responseHeaders, body: transfer.responseBody,
                                         isBodyTruncated: transfer.isBodyTruncated, httpVersion: versionText))
        }
        switch code {
        case CURLE_OPERATION_TIMEDOUT:
            return .failure(.timedOut)
        // The request as configured can never work: a malformed URL, a CA file that cannot be
        // read or holds no certificate. (A certificate the gateway presents that does not
        // verify stays a connection failure: the gateway's side may change.)
        case CURLE_URL_MALFORMAT, CURLE_BAD_FUNCTION_ARGUMENT, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM:
            return .failure(.invalidRequest(detail))
        case CURLE_OK:
            return .failure(.connection("no HTTP status in the reply"))
        default:
            return .failure(.connection(detail))
        }
    }

}

/// `CURLOPT_WRITEFUNCTION`: keeps the body up to the cap; returning less than offered stops the transfer.
private func curlWriteBody(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int,
                           _ context: UnsafeMutableRawPointer?) -> Int {
    guard let data, let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    let room = CurlTransport.maximumResponseBytes - transfer.responseBody.count
    guard length <= room else {
        transfer.isBodyTruncated = true
        if room > 0 {
            data.withMemoryRebound(to: UInt8.self, capacity: room) {
                transfer.responseBody.append(contentsOf: UnsafeBufferPointer(start: $0, count: room))
            }
        }
        return 0
    }
    data.withMemoryRebound(to: UInt8.self, capacity: length) {
        transfer.responseBody.append(contentsOf: UnsafeBufferPointer(start: $0, count: length))
    }
    return length
}

/// `CURLOPT_READFUNCTION`: the next piece of an e-mail's message; 0 at its end.
private func curlReadMessage(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int,
                             _ context: UnsafeMutableRawPointer?) -> Int {
    guard let data, let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    guard let message = transfer.requestBody, case .mail(let mail) = transfer.exchange else { return 0 }
    let length = min(size * count, mail.message.count - transfer.uploadOffset)
    guard length > 0, let base = message.baseAddress else { return 0 }
    UnsafeMutableRawPointer(data).copyMemory(from: base + transfer.uploadOffset, byteCount: length)
    transfer.uploadOffset += length
    return length
}

/// `CURLOPT_HEADERFUNCTION`: one header line at a time; a status line starts a new response
/// (after a `100 Continue`, only the final response's fields are kept).
private func curlWriteHeader(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int,
                             _ context: UnsafeMutableRawPointer?) -> Int {
    guard let data, let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    let line = data.withMemoryRebound(to: UInt8.self, capacity: length) {
        String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
    }
    if line.hasPrefix("HTTP/") {
        transfer.responseHeaders.removeAll()
    } else if let colon = line.firstIndex(of: ":"), transfer.responseHeaders.count < 100 {
        let name = String(line[..<colon])
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
        transfer.responseHeaders.append((name, value))
    }
    return length
}
