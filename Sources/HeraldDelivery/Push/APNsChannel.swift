import Foundation
import HeraldCore
import HeraldCrypto
import Synchronization

/// `adapter: "apns"`: Apple Push Notification service over HTTP/2 with a provider token
/// (an ES256 JWT from the `.p8` key), `POST /3/device/<token>`.
///
/// Options: `team_id` and `key_id` (10 characters each, from the developer account), `key`
/// (the `.p8` file's text, a secret), `topic` (the app's bundle id), `endpoint`
/// (`https://api.push.apple.com`; `https://api.sandbox.push.apple.com` for development builds;
/// http only on loopback, for tests), `push_type` (`alert` [default] or `background`).
/// The token is made again every 50 minutes (Apple refuses one older than an hour and
/// throttles one renewed more often than every 20), and once at once on `ExpiredProviderToken`.
/// `apns-collapse-id` is the idempotency key, so a retry the phone gets twice shows once.
public final class APNsChannel: SettingsAdapter {
    public static let adapterName = "apns"
    public static let optionKeys = ["team_id", "key_id", "key", "topic", "endpoint", "push_type"] + GatewayEndpoint.keys
    public static let kinds: Set<ChannelKind> = [.push]
    static let defaultEndpoint = "https://api.push.apple.com"
    static let tokenLifetime: TimeInterval = 50 * 60

    public let name: String
    private let settings: Settings
    private let transport: any HTTPTransport
    private let clock: any WallClock
    private let token = Mutex<(jwt: String, madeAt: Date)?>(nil)

    public struct Settings: Sendable {
        var teamID: String
        var keyID: String
        var key: SigningKey
        var topic: String
        var pushType: String
        var endpoint: GatewayEndpoint

        init?(_ options: ProviderOptions) {
            let teamID = options.string("team_id", required: true)
            let keyID = options.string("key_id", required: true)
            for (name, value) in [("team_id", teamID), ("key_id", keyID)] {
                if let value, !(value.count == 10 && value.allSatisfy { $0.isASCII && ($0.isUppercase || $0.isNumber) }) {
                    options.problem(name, "expected the 10 capital letters and digits from the Apple developer account, "
                                        + "found \"\(value)\"")
                }
            }
            let pem = options.secretString("key", required: true)
            let key = pem.flatMap { SigningKey(pem: $0, algorithm: .es256) }
            if pem != nil && key == nil {
                options.problem("key", "expected the text of the .p8 key file (-----BEGIN PRIVATE KEY----- …, an EC P-256 key)")
            }
            let topic = options.string("topic", required: true)
            let pushType = options.string("push_type") ?? "alert"
            if !["alert", "background"].contains(pushType) {
                options.problem("push_type", "expected alert or background, found \"\(pushType)\"")
            }
            let endpoint = GatewayEndpoint(options, urlKey: "endpoint", defaultURL: APNsChannel.defaultEndpoint,
                                           httpsUnlessLoopback: true)
            guard let teamID, let keyID, let key, let topic, let endpoint, options.problems.isEmpty else { return nil }
            (self.teamID, self.keyID, self.key, self.topic, self.pushType, self.endpoint)
                = (teamID, keyID, key, topic, pushType, endpoint)
        }
    }

    public static func settings(_ options: ProviderOptions) -> Settings? { Settings(options) }

    public init(name: String, settings: Settings, context: ChannelContext) {
        self.name = name
        self.settings = settings
        transport = context.transport
        clock = context.clock
    }

    public func send(_ message: ChannelMessage) async -> ChannelResult {
        // A device token is hex; anything else would break the URL (and count against the circuit).
        guard !message.to.isEmpty, message.to.count <= 200, message.to.allSatisfy(\.isHexDigit) else {
            return .recipientPermanent(error: "not an APNs device token (hex digits)", httpStatus: nil)
        }
        var alert: [(String, JSONOutput)] = [("body", .string(message.text))]
        if let title = message.title { alert.insert(("title", .string(title)), at: 0) }
        let aps: JSONOutput = settings.pushType == "background"
            ? .object([("content-available", .integer(1))])
            : .object([("alert", .object(alert)), ("sound", .string("default"))])
        let body = Array(JSONOutput.object([("aps", aps)]).rendered().utf8)
        var rejected: String?
        while true {
            guard let jwt = providerToken(replacing: rejected) else {
                return .misconfigured(error: "the APNs key cannot sign", httpStatus: nil)
            }
            let request = settings.endpoint.request(path: "/3/device/" + message.to, headers: [
                ("authorization", "bearer " + jwt), ("apns-topic", settings.topic), ("apns-push-type", settings.pushType),
                ("apns-priority", settings.pushType == "background" ? "5" : "10"),
                ("apns-collapse-id", String(message.idempotencyKey.prefix(64))),
                ("content-type", "application/json"),
            ], body: body)
            switch await transport.perform(request) {
            case .failure(let failure):
                return settings.endpoint.classify(failure)
            case .success(let response):
                let reason = Self.reason(response.body)
                if response.status == 403, reason == "ExpiredProviderToken", rejected == nil {
                    rejected = jwt
                    continue
                }
                return Self.classify(response, reason: reason, now: clock.now())
            }
        }
    }

    /// The provider token, made again when older than `tokenLifetime` or when it is the one
    /// Apple just called expired — not when another send renewed it meanwhile (Apple refuses
    /// renewals more frequent than every 20 minutes: `TooManyProviderTokenUpdates`).
    private func providerToken(replacing rejected: String?) -> String? {
        let now = clock.now()
        if let current = token.withLock({ $0 }), current.jwt != rejected,
           now.timeIntervalSince(current.madeAt) < Self.tokenLifetime {
            return current.jwt
        }
        guard let jwt = JSONWebToken.make(claims: [("iss", .string(settings.teamID)), ("iat", .integer(now.epochSeconds))],
                                          key: settings.key, keyID: settings.keyID) else { return nil }
        token.withLock { $0 = (jwt, now) }
        return jwt
    }

    static func reason(_ body: [UInt8]) -> String? {
        body.withUnsafeBufferPointer { try? JSONParser.parse(bytes: $0, dialect: .json) }?["reason"]?.stringValue
    }

    /// Apple's status and `reason` ("Handling notification responses from APNs").
    static func classify(_ response: HTTPResponse, reason: String?, now: Date) -> ChannelResult {
        let status = response.status
        let said = "APNs \(status)" + (reason.map { " \($0)" } ?? "")
        switch (status, reason ?? "") {
        case (200, _):
            return .accepted(providerID: response.header("apns-id"), httpStatus: status)
        case (410, _), (400, "ExpiredToken"):
            return .recipientGone(error: said, httpStatus: status)
        case (400, "BadDeviceToken"), (400, "DeviceTokenNotForTopic"):
            return .recipientPermanent(error: said, httpStatus: status)
        case (400, "BadTopic"), (400, "TopicDisallowed"), (400, "MissingTopic"), (403, _):
            return .misconfigured(error: said, httpStatus: status)
        case (429, "TooManyRequests"):
            return .recipientThrottled(error: said, httpStatus: status)
        case (429, _), (500..., _):
            return .transient(error: said, httpStatus: status, retryAfter: nil)
        default:
            return .permanent(error: said, httpStatus: status)
        }
    }
}
