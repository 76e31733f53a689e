import Foundation
import HeraldCore

/// `adapter: "http"`: one JSON POST per message through the process's `CurlTransport`,
/// with the idempotency key both in the body template and as an `Idempotency-Key` header.
///
/// Classification (SPEC 5, issue 11): 2xx accepted (a `message_id`, `id` or `msgid` in a
/// JSON reply is kept as the provider id); 429 throttled; 408, 5xx, timeouts and connection
/// errors transient, each honouring a positive `Retry-After` (seconds or an HTTP date); a 3xx
/// means the channel is misconfigured (redirects are never followed: the request, with its
/// credentials, goes only where the config says); any other status permanent.
public final class HTTPChannel: ChannelAdapter {
    public static let adapter = ChannelConfig.Adapter.http
    public let name: String
    private let url: String
    private let headers: [(name: String, value: String)]
    private let body: RequestBodyTemplate
    private let timeout: Duration
    /// `10s`, as the config wrote it: for messages.
    private let timeoutText: String
    private let connectTimeout: Duration?
    private let caFile: String?
    private let transport: any HTTPTransport
    private let clock: any WallClock

    public static func check(_ config: ChannelConfig, secrets: SecretSource) throws {
        _ = try Settings(config, secrets: secrets)
    }

    public static func make(_ config: ChannelConfig, context: ChannelContext) throws -> HTTPChannel {
        HTTPChannel(config, settings: try Settings(config, secrets: context.secrets), context: context)
    }

    /// The entry with its secrets filled in and its URL, headers and body checked.
    private struct Settings {
        var url: String
        var headers: [(name: String, value: String)]
        var body: RequestBodyTemplate

        init(_ config: ChannelConfig, secrets: SecretSource) throws {
            guard let urlText = config.url else { throw config.problem(nil, "the http adapter needs a url") }
            url = try secrets.substitute(in: urlText, for: config, key: "url")
            guard ChannelConfig.isHTTPURL(url), URL(string: url)?.host != nil else {
                throw config.problem("url", "expected an http:// or https:// URL with a host and no spaces "
                                     + "once its secrets are filled in")
            }
            headers = try config.headers.sorted { $0.key < $1.key }.map { field, value in
                // A line break in a name or a value (a secret's included) would add headers of its own.
                guard !field.isEmpty, field.unicodeScalars.allSatisfy(HTTPChannel.isTokenCharacter) else {
                    throw config.problem("headers",
                                         "'\(field)' is not a header name (letters, digits and !#$%&'*+-.^_`|~)")
                }
                let filled = try secrets.substitute(in: value, for: config, key: "headers")
                let isControl = { (scalar: Unicode.Scalar) in
                    scalar.value < 0x20 && scalar != "\t" || scalar.value == 0x7F
                }
                guard !filled.unicodeScalars.contains(where: isControl) else {
                    throw config.problem("headers", "header \(field) holds a line break or another control character "
                                         + "(its value, or a secret in it)")
                }
                return (field, filled)
            }
            body = try config.body.map { try RequestBodyTemplate($0, secrets: secrets, config: config) } ?? .standard
            if let caFile = config.caFile {
                var isFolder: ObjCBool = false
                guard FileManager.default.fileExists(atPath: caFile, isDirectory: &isFolder), !isFolder.boolValue,
                      let pem = FileManager.default.contents(atPath: caFile),
                      String(decoding: pem, as: UTF8.self).contains("-----BEGIN CERTIFICATE-----") else {
                    throw config.problem("ca_file", "\(caFile) is not a readable PEM file of certificates")
                }
            }
        }
    }

    /// RFC 9110's `tchar`.
    private static func isTokenCharacter(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
                           || "!#$%&'*+-.^_`|~".unicodeScalars.contains(scalar))
    }

    private init(_ config: ChannelConfig, settings: Settings, context: ChannelContext) {
        name = config.name
        url = settings.url
        headers = [("Content-Type", "application/json; charset=utf-8")] + settings.headers
        body = settings.body
        timeout = .seconds(config.timeout.seconds)
        timeoutText = config.timeout.description
        connectTimeout = config.connectTimeout.map { .seconds($0.seconds) }
        caFile = config.caFile
        transport = context.transport
        clock = context.clock
    }

    public func send(_ message: ChannelMessage) async -> ChannelResult {
        let request = HTTPRequest(url: url, headers: headers + [("Idempotency-Key", message.idempotencyKey)],
                                  body: Array(body.render(message).utf8), timeout: timeout,
                                  connectTimeout: connectTimeout, caFile: caFile)
        switch await transport.perform(request) {
        case .success(let response):
            return Self.classify(response, now: clock.now())
        case .failure(.timedOut):
            return .transient(error: "timed out after \(timeoutText)", httpStatus: nil, retryAfter: nil)
        case .failure(.connection(let detail)):
            return .transient(error: "connection error: \(detail)", httpStatus: nil, retryAfter: nil)
        case .failure(.invalidRequest(let detail)):
            return .misconfigured(error: "the request cannot be made: \(detail)", httpStatus: nil)
        case .failure(.cancelled):
            return .cancelled
        }
    }

    static func classify(_ response: HTTPResponse, now: Date) -> ChannelResult {
        let status = response.status
        // The whole (capped) body: the dispatcher's redactor cuts it only after redacting it.
        let excerpt = String(decoding: response.body, as: UTF8.self)
        let retryAfter = response.header("Retry-After").flatMap { RetryAfter.seconds($0, now: now) }
        switch status {
        case 200..<300:
            return .accepted(providerID: providerID(in: response.body), httpStatus: status)
        case 300..<400:
            let target = response.header("Location").flatMap { URL(string: $0)?.host }.map { " to \($0)" } ?? ""
            return .misconfigured(error: "HTTP \(status): the gateway redirects\(target); "
                                      + "redirects are never followed, check the channel's url", httpStatus: status)
        case 429:
            return .throttled(error: "HTTP 429: \(excerpt)", httpStatus: status, retryAfter: retryAfter)
        case 408, 500..<600:
            return .transient(error: "HTTP \(status): \(excerpt)", httpStatus: status, retryAfter: retryAfter)
        default:
            return .permanent(error: "HTTP \(status): \(excerpt)", httpStatus: status)
        }
    }

    private static func providerID(in body: [UInt8]) -> String? {
        guard let text = String(validating: body, as: UTF8.self),
              let value = try? JSONParser.parse(text, dialect: .json) else { return nil }
        for key in ["message_id", "id", "msgid"] {
            switch value[key]?.kind {
            case .string(let id)?: return String(id.prefix(128))
            case .number(let digits)?: return digits
            default: continue
            }
        }
        return nil
    }
}
