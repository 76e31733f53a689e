import Foundation
import HeraldCore

/// `adapter: "http"`: one JSON POST per message through the process's `CurlTransport`,
/// with the idempotency key both in the body template and as an `Idempotency-Key` header.
///
/// Classification (SPEC 5, issue 11): 2xx accepted (a `message_id`, `id` or `msgid` in a
/// JSON reply is kept as the provider id); otherwise `GatewayEndpoint.classifyStatus`.
public final class HTTPChannel: SettingsAdapter {
    public static let adapterName = "http"
    public static let optionKeys = ["url", "headers", "body"] + GatewayEndpoint.keys
    public static let kinds: Set<ChannelKind> = Set(ChannelKind.allCases)

    public let name: String
    private let endpoint: GatewayEndpoint
    private let headers: [(name: String, value: String)]
    private let body: RequestBodyTemplate
    private let transport: any HTTPTransport
    private let clock: any WallClock

    public static func settings(_ options: ProviderOptions) -> Settings? { Settings(options) }

    /// The entry with its secrets filled in and its URL, headers and body checked.
    public struct Settings: Sendable {
        var endpoint: GatewayEndpoint
        var headers: [(name: String, value: String)]
        var body: RequestBodyTemplate

        init?(_ options: ProviderOptions) {
            let endpoint = GatewayEndpoint(options, urlKey: "url", httpsUnlessLoopback: false)
            let headers = HTTPChannel.headers(options)
            let body = HTTPChannel.body(options, fields: RequestBodyTemplate.fields)
            guard let endpoint, options.problems.isEmpty else { return nil }
            self.endpoint = endpoint
            self.headers = headers
            self.body = body
        }
    }

    /// `headers: { Name: "value" }`, each value with its secrets filled in; a name or value
    /// that could add a header of its own is reported.
    static func headers(_ options: ProviderOptions) -> [(name: String, value: String)] {
        guard let object = options.object("headers") else { return [] }
        var headers: [(name: String, value: String)] = []
        for field in object.keys.sorted() {
            guard let value = object.string(field) else { continue }
            // A line break in a name or a value (a secret's included) would add headers of its own.
            guard !field.isEmpty, field.unicodeScalars.allSatisfy(isTokenCharacter) else {
                options.problem("headers", "'\(field)' is not a header name (letters, digits and !#$%&'*+-.^_`|~)")
                continue
            }
            guard let filled = options.filled(value, key: "headers") else { continue }
            let isControl = { (scalar: Unicode.Scalar) in
                scalar.value < 0x20 && scalar != "\t" || scalar.value == 0x7F
            }
            guard !filled.unicodeScalars.contains(where: isControl) else {
                options.problem("headers", "header \(field) holds a line break or another control character "
                                    + "(its value, or a secret in it)")
                continue
            }
            headers.append((field, filled))
        }
        return headers
    }

    /// `body`, its placeholders among `fields`; every field under its own name when absent.
    static func body(_ options: ProviderOptions, fields: [String]) -> RequestBodyTemplate {
        guard let value = options["body"] else { return .standard(fields) }
        do {
            return try RequestBodyTemplate(value, fields: fields, secrets: options.secrets) { position, message in
                Diagnostic(file: options.provider.sourcePath, position: position,
                           message: "\(options.settingName).body: \(message)")
            }
        } catch {
            options.add(error)
            return .standard(fields)
        }
    }

    /// RFC 9110's `tchar`.
    private static func isTokenCharacter(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
                           || "!#$%&'*+-.^_`|~".unicodeScalars.contains(scalar))
    }

    public init(name: String, settings: Settings, context: ChannelContext) {
        self.name = name
        endpoint = settings.endpoint
        headers = [("Content-Type", "application/json; charset=utf-8")] + settings.headers
        body = settings.body
        transport = context.transport
        clock = context.clock
    }

    public func send(_ message: ChannelMessage) async -> ChannelResult {
        let request = endpoint.request(headers: headers + [("Idempotency-Key", message.idempotencyKey)],
                                       body: Array(body.render(message).utf8))
        switch await transport.perform(request) {
        case .success(let response):
            return Self.classify(response, now: clock.now())
        case .failure(let failure):
            return endpoint.classify(failure)
        }
    }

    static func classify(_ response: HTTPResponse, now: Date) -> ChannelResult {
        GatewayEndpoint.classifyStatus(response, now: now, providerID: providerID(in: response.body))
    }

    private static func providerID(in body: [UInt8]) -> String? {
        guard let value = body.withUnsafeBufferPointer({ try? JSONParser.parse(bytes: $0, dialect: .json) })
        else { return nil }
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
