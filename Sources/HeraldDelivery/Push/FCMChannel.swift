import Foundation
import HeraldCore
import HeraldCrypto

/// `adapter: "fcm"`: Firebase Cloud Messaging HTTP v1 (`POST /v1/projects/<project>/messages:send`)
/// with an OAuth 2.0 access token from a service account: an RS256 JWT assertion exchanged at
/// the account's `token_uri`, kept until five minutes before it expires and renewed once at
/// once when FCM answers 401.
///
/// Options: `service_account` (the service-account key file's JSON, a secret: `project_id`,
/// `client_email`, `private_key`, `token_uri`), `endpoint` (`https://fcm.googleapis.com`),
/// `token_endpoint` (instead of the key's `token_uri`; http only on loopback, for tests).
public final class FCMChannel: SettingsAdapter {
    public static let adapterName = "fcm"
    public static let optionKeys = ["service_account", "endpoint", "token_endpoint"] + GatewayEndpoint.keys
    public static let kinds: Set<ChannelKind> = [.push]
    static let scope = "https://www.googleapis.com/auth/firebase.messaging"

    public let name: String
    private let settings: Settings
    private let transport: any HTTPTransport
    private let clock: any WallClock
    /// Kept until five minutes before it expires; one request at a time.
    private let accessToken = AccessTokenCache(margin: 300, provider: "Google")

    public struct Settings: Sendable {
        var projectID: String
        var clientEmail: String
        var key: SigningKey
        var tokenURL: String
        var endpoint: GatewayEndpoint
        var tokenEndpoint: GatewayEndpoint

        init?(_ options: ProviderOptions) {
            let text = options.secretString("service_account", required: true)
            var account: (project: String, email: String, key: SigningKey, tokenURI: String)?
            if let text {
                let value = try? JSONParser.parse(text, dialect: .json)
                if let value, let project = value["project_id"]?.stringValue, let email = value["client_email"]?.stringValue,
                   let pem = value["private_key"]?.stringValue, let key = SigningKey(pem: pem, algorithm: .rs256) {
                    account = (project, email, key, value["token_uri"]?.stringValue ?? "https://oauth2.googleapis.com/token")
                } else {
                    options.problem("service_account", "expected the service-account key file's JSON (project_id, "
                                        + "client_email and an RSA private_key), as downloaded from the Firebase console")
                }
            }
            let endpoint = GatewayEndpoint(options, urlKey: "endpoint", defaultURL: "https://fcm.googleapis.com",
                                           httpsUnlessLoopback: true)
            let tokenEndpoint = GatewayEndpoint(options, urlKey: "token_endpoint",
                                                defaultURL: account?.tokenURI ?? "https://oauth2.googleapis.com/token",
                                                httpsUnlessLoopback: true)
            guard let account, let endpoint, let tokenEndpoint, options.problems.isEmpty else { return nil }
            projectID = account.project
            clientEmail = account.email
            key = account.key
            tokenURL = account.tokenURI
            self.endpoint = endpoint
            self.tokenEndpoint = tokenEndpoint
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
        var notification: [(String, JSONOutput)] = [("body", .string(message.text))]
        if let title = message.title { notification.insert(("title", .string(title)), at: 0) }
        let body = JSONOutput.object([("message", .object([
            ("token", .string(message.to)), ("notification", .object(notification)),
            ("android", .object([("collapse_key", .string(String(message.idempotencyKey.prefix(64))))])),
        ]))])
        var rejected: String?
        for _ in 0..<2 {
            let token: String
            switch await validToken(replacing: rejected) {
            case .success(let valid): token = valid
            case .failure(let failure): return failure.result
            }
            let request = settings.endpoint.request(path: "/v1/projects/\(settings.projectID)/messages:send", headers: [
                ("Authorization", "Bearer " + token), ("Content-Type", "application/json; charset=utf-8"),
            ], body: Array(body.rendered().utf8))
            switch await transport.perform(request) {
            case .failure(let failure):
                return settings.endpoint.classify(failure)
            case .success(let response):
                // A 401 is the access token's unless FCM names another cause (THIRD_PARTY_AUTH_ERROR:
                // the APNs key configured in Firebase), which renewing would only hide.
                if response.status == 401, Self.errorCode(response.body) == nil {
                    rejected = token
                    continue
                }
                return Self.classify(response, now: clock.now())
            }
        }
        return .misconfigured(error: "FCM refused a newly issued access token (401 twice)", httpStatus: 401)
    }

    /// The v1 API's `FcmError` detail (`UNREGISTERED`, …), nil when the answer names none.
    static func errorCode(_ body: [UInt8]) -> String? {
        let value = body.withUnsafeBufferPointer { try? JSONParser.parse(bytes: $0, dialect: .json) }
        guard case .array(let details)? = value?["error"]?["details"]?.kind else { return nil }
        return details.compactMap { $0["errorCode"]?.stringValue }.first
    }

    /// FCM's status and `errorCode` (else the error's `status`).
    static func classify(_ response: HTTPResponse, now: Date) -> ChannelResult {
        let value = response.body.withUnsafeBufferPointer { try? JSONParser.parse(bytes: $0, dialect: .json) }
        if response.status == 200 {
            return .accepted(providerID: value?["name"]?.stringValue, httpStatus: 200)
        }
        let code = errorCode(response.body) ?? value?["error"]?["status"]?.stringValue ?? ""
        let said = "FCM \(response.status) \(code)"
        switch code {
        case "UNREGISTERED": return .recipientGone(error: said, httpStatus: response.status)
        case "SENDER_ID_MISMATCH": return .recipientPermanent(error: said, httpStatus: response.status)
        case "QUOTA_EXCEEDED": return .throttled(error: said, httpStatus: response.status, retryAfter: nil)
        case "UNAVAILABLE", "INTERNAL": return .transient(error: said, httpStatus: response.status, retryAfter: nil)
        case "THIRD_PARTY_AUTH_ERROR", "PERMISSION_DENIED": return .misconfigured(error: said, httpStatus: response.status)
        case "INVALID_ARGUMENT": return .permanent(error: said, httpStatus: response.status)
        default: return GatewayEndpoint.classifyStatus(response, now: now)
        }
    }

    /// A token valid for five more minutes, other than `rejected`: this adapter's, or a new one.
    private func validToken(replacing rejected: String?) async -> Result<String, AccessTokenCache.Failure> {
        await accessToken.token(at: clock.now(), replacing: rejected) { [self] _ in await requestToken() }
    }

    /// RFC 7523: the signed assertion exchanged for an access token.
    private func requestToken() async -> Result<SharedToken, AccessTokenCache.Failure> {
        let now = clock.now()
        guard let assertion = JSONWebToken.make(claims: [
            ("iss", .string(settings.clientEmail)), ("scope", .string(Self.scope)), ("aud", .string(settings.tokenURL)),
            ("iat", .integer(now.epochSeconds)), ("exp", .integer(now.epochSeconds + 3600)),
        ], key: settings.key) else {
            return .failure(AccessTokenCache.Failure(result: .misconfigured(error: "the service account's key cannot sign", httpStatus: nil)))
        }
        let form = "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=" + assertion
        let request = settings.tokenEndpoint.request(headers: [("Content-Type", "application/x-www-form-urlencoded")],
                                                     body: Array(form.utf8))
        switch await transport.perform(request) {
        case .failure(let failure):
            return .failure(AccessTokenCache.Failure(result: settings.tokenEndpoint.classify(failure)))
        case .success(let response):
            let value = response.body.withUnsafeBufferPointer { try? JSONParser.parse(bytes: $0, dialect: .json) }
            guard response.status == 200, let token = value?["access_token"]?.stringValue, !token.isEmpty else {
                let said = "Google OAuth \(response.status) \(value?["error"]?.stringValue ?? "")"
                return .failure(AccessTokenCache.Failure(result: (400..<500).contains(response.status)
                    ? .misconfigured(error: said, httpStatus: response.status)
                    : .transient(error: said, httpStatus: response.status, retryAfter: nil)))
            }
            return .success(SharedToken(token: token, expiresAt: now + AccessTokenCache.lifetime(value, fallback: 3600)))
        }
    }
}
