import Foundation
import HeraldCore

/// What every HTTP adapter shares: its URL (with secrets filled in), timeouts, an optional
/// CA file, the request it builds, and how a transport failure or a bare HTTP status is
/// classified (issue 11) when the provider's own answer says nothing more.
///
/// Provider endpoints must be https, except on a loopback address (fakes and tests): the
/// request carries credentials and members' numbers.
struct GatewayEndpoint: Sendable {
    /// Options every HTTP adapter takes besides its URL key.
    static let keys = ["connect_timeout", "ca_file"]

    let url: String
    /// `host` or `host:port`, as the `Host` header and a signature name it.
    let hostHeader: String
    let timeout: Duration
    /// `10s`, as the config wrote it: for messages.
    let timeoutText: String
    let connectTimeout: Duration?
    let caFile: String?

    /// Reads `urlKey` (or `defaultURL` when absent) and the shared options; nil when any is
    /// wrong (reported to `options`).
    init?(_ options: ProviderOptions, urlKey: String, defaultURL: String? = nil, httpsUnlessLoopback: Bool) {
        let written = options.string(urlKey, required: defaultURL == nil)
        var connectTimeout: Duration?
        if let span = options.timeSpan("connect_timeout", in: SettingRange.channelTimeout) {
            if span <= options.timeout {
                connectTimeout = .seconds(span.seconds)
            } else {
                options.problem("connect_timeout", "expected at most timeout (\(options.timeout)), found \(span)")
            }
        }
        let caFile = options.path("ca_file")
        if let caFile { Self.checkCAFile(caFile, options: options) }
        if let written, !Self.isHTTPURL(written) {
            options.problem(urlKey, "expected an http(s) URL without spaces, such as \"https://gw.example.cn/send\", "
                                + "found \(JSONObjectReader.describe(options[urlKey]!))")
            return nil
        }
        let url: String
        if let written {
            guard let filled = options.filled(written, key: urlKey) else { return nil }
            url = filled
        } else if let defaultURL {
            url = defaultURL
        } else {
            return nil
        }
        guard Self.isHTTPURL(url), let parsed = URLComponents(string: url), let host = parsed.host,
              !host.isEmpty else {
            options.problem(urlKey, "expected an http:// or https:// URL with a host and no spaces once its secrets "
                                + "are filled in")
            return nil
        }
        if httpsUnlessLoopback, parsed.scheme?.lowercased() != "https", !Self.isLoopback(host) {
            options.problem(urlKey, "expected https:// (http is allowed only for a loopback address such as "
                                + "127.0.0.1), found \(parsed.scheme ?? "no scheme")")
            return nil
        }
        self.url = url
        hostHeader = (host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host)
            + (parsed.port.map { ":\($0)" } ?? "")
        timeout = .seconds(options.timeout.seconds)
        timeoutText = options.timeout.description
        self.connectTimeout = connectTimeout
        self.caFile = caFile
    }

    /// An http(s) URL with a host and no whitespace or control characters; each
    /// `{{ secret.NAME }}` counts as one plain character (its value is checked at start-up).
    static func isHTTPURL(_ text: String) -> Bool {
        let plain = BracedPlaceholders.pieces(of: text).map { piece in
            switch piece {
            case .text(let text): String(text)
            case .placeholder: "x"
            }
        }.joined()
        let lowered = plain.lowercased()
        guard let scheme = ["https://", "http://"].first(where: { lowered.hasPrefix($0) }) else { return false }
        let afterScheme = plain.dropFirst(scheme.count)
        return !afterScheme.isEmpty && !afterScheme.hasPrefix("/")
            && !plain.unicodeScalars.contains { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F }
    }

    static func isLoopback(_ host: String) -> Bool {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        return bare == "localhost" || bare == "::1" || bare.hasPrefix("127.")
    }

    private static func checkCAFile(_ caFile: String, options: ProviderOptions) {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: caFile, isDirectory: &isFolder), !isFolder.boolValue,
              let pem = FileManager.default.contents(atPath: caFile),
              String(decoding: pem, as: UTF8.self).contains("-----BEGIN CERTIFICATE-----") else {
            options.problem("ca_file", "\(caFile) is not a readable PEM file of certificates")
            return
        }
    }

    func request(path: String = "", headers: [(name: String, value: String)], body: [UInt8]) -> HTTPRequest {
        HTTPRequest(url: url + path, headers: headers, body: body, timeout: timeout, connectTimeout: connectTimeout,
                    caFile: caFile)
    }

    /// A call that got no HTTP answer.
    func classify(_ failure: HTTPFailure) -> ChannelResult { Self.classify(failure, timeoutText: timeoutText) }

    /// A call that got no answer, for any transport (an SMTP exchange too).
    static func classify(_ failure: HTTPFailure, timeoutText: String) -> ChannelResult {
        switch failure {
        case .timedOut: .transient(error: "timed out after \(timeoutText)", httpStatus: nil, retryAfter: nil)
        case .connection(let detail): .transient(error: "connection error: \(detail)", httpStatus: nil, retryAfter: nil)
        case .invalidRequest(let detail): .misconfigured(error: "the request cannot be made: \(detail)", httpStatus: nil)
        case .cancelled: .cancelled
        }
    }

    /// An answer that is not the provider's own (a proxy's error page, a load balancer's 502):
    /// by its status, except that a 2xx without the provider's words proves nothing was
    /// accepted, so it is a fault to retry (elsewhere first).
    static func classifyForeign(_ response: HTTPResponse, now: Date, provider: String) -> ChannelResult {
        let byStatus = classifyStatus(response, now: now)
        guard case .accepted = byStatus else { return byStatus }
        // The whole (capped) body: cut before redaction, it could keep half a secret or number.
        return .transient(error: "HTTP \(response.status) with an answer that is not \(provider)'s JSON: "
                              + String(decoding: response.body, as: UTF8.self),
                          httpStatus: response.status, retryAfter: nil)
    }

    /// An HTTP answer by its status alone (SPEC 5): 2xx accepted, a 3xx misconfigured
    /// (redirects are never followed: the request, with its credentials, goes only where the
    /// config says), 429 throttled, 408 and 5xx transient honouring a positive `Retry-After`,
    /// any other status permanent.
    static func classifyStatus(_ response: HTTPResponse, now: Date, providerID: String? = nil) -> ChannelResult {
        let status = response.status
        // The whole (capped) body: the dispatcher's redactor cuts it only after redacting it.
        let excerpt = String(decoding: response.body, as: UTF8.self)
        let retryAfter = response.header("Retry-After").flatMap { RetryAfter.seconds($0, now: now) }
        switch status {
        case 200..<300:
            return .accepted(providerID: providerID, httpStatus: status)
        case 300..<400:
            let target = response.header("Location").flatMap { URL(string: $0)?.host }.map { " to \($0)" } ?? ""
            return .misconfigured(error: "HTTP \(status): the gateway redirects\(target); "
                                      + "redirects are never followed, check the url", httpStatus: status)
        case 429:
            return .throttled(error: "HTTP 429: \(excerpt)", httpStatus: status, retryAfter: retryAfter)
        case 408, 500..<600:
            return .transient(error: "HTTP \(status): \(excerpt)", httpStatus: status, retryAfter: retryAfter)
        default:
            return .permanent(error: "HTTP \(status): \(excerpt)", httpStatus: status)
        }
    }
}
