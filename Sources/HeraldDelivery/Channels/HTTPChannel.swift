import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HeraldCore

/// `adapter: "http"`: one JSON POST per message through URLSession (libcurl on Linux),
/// with keep-alive connections (up to the channel's concurrency), a per-request timeout,
/// and the idempotency key both in the body template and as an `Idempotency-Key` header.
///
/// Classification (SPEC 5): 2xx accepted (a `message_id`, `id` or `msgid` in a JSON reply is
/// kept as the provider id); 408, 429 and 5xx, timeouts and connection errors transient,
/// honouring `Retry-After` (seconds or an HTTP date); any other status permanent.
public final class HTTPChannel: ChannelAdapter {
    public static let adapter = ChannelConfig.Adapter.http
    public let name: String
    private let url: URL
    private let headers: [String: String]
    private let body: RequestBodyTemplate
    private let session: URLSession
    private let clock: any WallClock

    public static func make(_ config: ChannelConfig, secrets: SecretSource, clock: any WallClock) throws -> HTTPChannel {
        guard let urlText = config.url else { throw ChannelSetupError("channel \(config.name): the http adapter needs a url") }
        let resolved = try secrets.substitute(in: urlText, place: "channel \(config.name) url")
        guard let url = URL(string: resolved), ["http", "https"].contains(url.scheme?.lowercased() ?? "") else {
            throw ChannelSetupError("channel \(config.name): expected an http:// or https:// url")
        }
        var headers: [String: String] = [:]
        for (field, value) in config.headers {
            headers[field] = try secrets.substitute(in: value, place: "channel \(config.name) header \(field)")
        }
        let body = try config.body.map { try RequestBodyTemplate($0, secrets: secrets, place: "channel \(config.name) body") }
            ?? .standard
        return HTTPChannel(name: config.name, url: url, headers: headers, body: body,
                           timeout: TimeInterval(config.timeout.seconds), concurrency: config.concurrency ?? 8, clock: clock)
    }

    public init(name: String, url: URL, headers: [String: String], body: RequestBodyTemplate, timeout: TimeInterval,
                concurrency: Int, clock: any WallClock) {
        self.name = name
        self.url = url
        self.headers = headers
        self.body = body
        self.clock = clock
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout
        configuration.httpMaximumConnectionsPerHost = max(1, concurrency)
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        session = URLSession(configuration: configuration)
    }

    deinit {
        session.invalidateAndCancel()
    }

    public func send(_ message: ChannelMessage) async -> ChannelResult {
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.setValue("application/json; charset=utf-8", forHTTPHeaderField: "Content-Type")
        request.setValue(message.idempotencyKey, forHTTPHeaderField: "Idempotency-Key")
        for (field, value) in headers { request.setValue(value, forHTTPHeaderField: field) }
        request.httpBody = Data(body.render(message).utf8)
        do {
            let (data, response) = try await session.data(for: request)
            guard let http = response as? HTTPURLResponse else {
                return .transient(error: "not an HTTP response", httpStatus: nil, retryAfter: nil)
            }
            return Self.classify(status: http.statusCode, body: data,
                                 retryAfter: http.value(forHTTPHeaderField: "Retry-After"), now: clock.now())
        } catch let error as URLError {
            let reason = error.code == .timedOut ? "timed out" : "connection error (\(error.code.rawValue)): \(error.localizedDescription)"
            return .transient(error: reason, httpStatus: nil, retryAfter: nil)
        } catch {
            return .transient(error: "\(error)", httpStatus: nil, retryAfter: nil)
        }
    }

    static func classify(status: Int, body: Data, retryAfter: String?, now: Date) -> ChannelResult {
        let excerpt = String(decoding: body.prefix(200), as: UTF8.self)
        switch status {
        case 200..<300:
            return .accepted(providerID: providerID(in: body), httpStatus: status)
        case 408, 429, 500..<600:
            return .transient(error: "HTTP \(status): \(excerpt)", httpStatus: status,
                              retryAfter: retryAfter.flatMap { RetryAfter.seconds($0, now: now) })
        default:
            return .permanent(error: "HTTP \(status): \(excerpt)", httpStatus: status)
        }
    }

    private static func providerID(in body: Data) -> String? {
        guard let text = String(data: body, encoding: .utf8), let value = try? JSONParser.parse(text, dialect: .json) else {
            return nil
        }
        for key in ["message_id", "id", "msgid"] {
            switch value[key]?.kind {
            case .string(let id)?: return id
            case .number(let digits)?: return digits
            default: continue
            }
        }
        return nil
    }
}
