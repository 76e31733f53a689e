import Foundation
import HeraldCore

/// The part of WeChat's server API both adapters share: the access token (from app id and
/// secret, cached, shared through `SharedTokenStore`, renewed ten minutes before it expires
/// and once at once when WeChat says it is invalid or expired), one call with it, and what
/// WeChat's `errcode`s mean for the row.
final class WeChatClient: Sendable {
    let appID: String
    private let appSecret: String
    private let endpoint: GatewayEndpoint
    private let transport: any HTTPTransport
    private let clock: any WallClock
    private let tokens: (any SharedTokenStore)?
    /// This process's copy, so most calls read no store; one token request at a time.
    private let token = AccessTokenCache(margin: WeChatClient.renewalMargin, provider: "WeChat")

    /// A token is renewed this long before WeChat's expiry.
    static let renewalMargin: TimeInterval = 600

    init(appID: String, appSecret: String, endpoint: GatewayEndpoint, context: ChannelContext) {
        self.appID = appID
        self.appSecret = appSecret
        self.endpoint = endpoint
        transport = context.transport
        clock = context.clock
        tokens = context.tokens
    }

    private var storeKey: String { "wechat:\(appID)" }

    /// POSTs `body` to `path` with the access token; a token WeChat calls invalid or expired
    /// (40001, 42001, 40014) is renewed and the call made once more.
    func send(path: String, body: JSONOutput) async -> ChannelResult {
        var rejected: String?
        for _ in 0..<2 {
            let token: String
            switch await accessToken(replacing: rejected) {
            case .success(let valid): token = valid
            case .failure(let failure): return failure.result
            }
            let request = endpoint.request(path: path + "?access_token=" + token,
                                           headers: [("Content-Type", "application/json; charset=utf-8")],
                                           body: Array(body.rendered().utf8))
            switch await transport.perform(request) {
            case .failure(let failure):
                return endpoint.classify(failure)
            case .success(let response):
                guard response.status == 200, let answer = Self.answer(response.body) else {
                    return GatewayEndpoint.classifyForeign(response, now: clock.now(), provider: "WeChat")
                }
                if [40001, 42001, 40014].contains(answer.code) {
                    rejected = token
                    continue
                }
                return Self.classify(answer, status: response.status)
            }
        }
        return .misconfigured(error: "WeChat refused a newly issued access token (40001/42001/40014 twice)",
                              httpStatus: 200)
    }

    /// WeChat's answer: `errcode` (0 when absent), `errmsg`, and the message id.
    struct Answer {
        var code: Int
        var message: String
        var messageID: String?
    }

    static func answer(_ body: [UInt8]) -> Answer? {
        guard let value = body.withUnsafeBufferPointer({ try? JSONParser.parse(bytes: $0, dialect: .json) }),
              value.members != nil else { return nil }
        let code: Int = if case .number(let digits)? = value["errcode"]?.kind { Int(digits) ?? -1 } else { 0 }
        let messageID: String? = switch value["msgid"]?.kind {
        case .number(let digits)?: digits
        case .string(let text)?: text
        default: nil
        }
        return Answer(code: code, message: value["errmsg"]?.stringValue ?? "", messageID: messageID)
    }

    /// What an `errcode` means (WeChat's global return codes and the send APIs' own).
    static func classify(_ answer: Answer, status: Int) -> ChannelResult {
        let said = "WeChat \(answer.code): \(answer.message)"
        switch answer.code {
        case 0: return .accepted(providerID: answer.messageID, httpStatus: status)
        // Not subscribed to this template (mini-program), or not following / blocked (official account).
        case 43101, 43004, 43019: return .recipientRefused(error: said, httpStatus: status)
        case 40003: return .recipientPermanent(error: said, httpStatus: status)
        case 45009, 45011, 45047: return .throttled(error: said, httpStatus: status, retryAfter: nil)
        case -1: return .transient(error: said, httpStatus: status, retryAfter: nil)
        case 40013, 40125, 40164, 40037, 41030, 48001, 40002, 40036: return .misconfigured(error: said, httpStatus: status)
        default: return .permanent(error: said, httpStatus: status)
        }
    }

    /// A token valid for at least `renewalMargin`: this process's, the store's, or a new one.
    /// `replacing`: one WeChat just refused, not to be used again.
    private func accessToken(replacing rejected: String?) async -> Result<String, AccessTokenCache.Failure> {
        await token.token(at: clock.now(), replacing: rejected) { [self] isUsable in
            // Another worker may have renewed it.
            if let shared = tokens?.token(for: storeKey), isUsable(shared) { return .success(shared) }
            return await requestToken()
        }
    }

    private func requestToken() async -> Result<SharedToken, AccessTokenCache.Failure> {
        let query = "grant_type=client_credential&appid=\(Self.queryEncoded(appID))&secret=\(Self.queryEncoded(appSecret))"
        var request = endpoint.request(path: "/cgi-bin/token?" + query, headers: [], body: [])
        request.method = "GET"
        switch await transport.perform(request) {
        case .failure(let failure):
            return .failure(AccessTokenCache.Failure(result: endpoint.classify(failure)))
        case .success(let response):
            guard response.status == 200,
                  let value = response.body.withUnsafeBufferPointer({ try? JSONParser.parse(bytes: $0, dialect: .json) }),
                  value.members != nil else {
                return .failure(AccessTokenCache.Failure(result: GatewayEndpoint.classifyForeign(response, now: clock.now(),
                                                                                       provider: "WeChat")))
            }
            guard let token = value["access_token"]?.stringValue, !token.isEmpty else {
                let answer = Self.answer(response.body) ?? Answer(code: -1, message: "no access_token", messageID: nil)
                let result = Self.classify(answer, status: response.status)
                // A refused token request is the app's setup unless WeChat is merely busy or limiting.
                if case .accepted = result {
                    return .failure(AccessTokenCache.Failure(result: .transient(error: "WeChat gave no access_token", httpStatus: 200,
                                                                    retryAfter: nil)))
                }
                return .failure(AccessTokenCache.Failure(result: result))
            }
            let issued = SharedToken(token: token,
                                     expiresAt: clock.now() + AccessTokenCache.lifetime(value, fallback: 7200))
            tokens?.save(issued, for: storeKey)
            return .success(issued)
        }
    }

    /// For the query string: letters, digits and `-._~` as they are, the rest percent-encoded.
    static func queryEncoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn:
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")) ?? ""
    }
}
