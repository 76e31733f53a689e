import Foundation
import HeraldCore

/// What both WeChat adapters read from their entry: `app_id`, `app_secret` (a secret) and
/// `endpoint` (`https://api.weixin.qq.com`; plain http only on loopback, for tests).
struct WeChatSettings: Sendable {
    static let keys = ["app_id", "app_secret", "endpoint"] + GatewayEndpoint.keys
    static let defaultEndpoint = "https://api.weixin.qq.com"

    var appID: String
    var appSecret: String
    var endpoint: GatewayEndpoint

    init?(_ options: ProviderOptions) {
        let appID = options.string("app_id", required: true)
        if let appID, !(appID.hasPrefix("wx") && appID.count == 18 && appID.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }) {
            options.problem("app_id", "expected the AppID from the WeChat console, \"wx\" and 16 letters or digits, "
                                + "found \(JSONObjectReader.describe(options["app_id"]!))")
        }
        let appSecret = options.secretString("app_secret", required: true)
        let endpoint = GatewayEndpoint(options, urlKey: "endpoint", defaultURL: Self.defaultEndpoint, httpsUnlessLoopback: true)
        guard let appID, let appSecret, let endpoint, options.problems.isEmpty else { return nil }
        self.appID = appID
        self.appSecret = appSecret
        self.endpoint = endpoint
    }

    /// WeChat's field types and their lengths in characters (subscription and template
    /// messages, "模板消息/订阅消息 参数值内容限制"). `time`, `date` and `const` are formats
    /// WeChat checks itself; their lengths here are generous bounds.
    static let fieldLimits: [String: Int] = [
        "thing": 20, "number": 32, "letter": 32, "symbol": 5, "character_string": 32, "time": 32, "date": 32,
        "amount": 10, "phone_number": 17, "car_number": 8, "name": 10, "phrase": 5, "const": 20, "short_thing": 5,
    ]

    static let source = "WeChat subscription / template message field rules, "
        + "https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/mp-message-management/subscribe-message/sendMessage.html"

    /// The send's mapping for `provider`: its content, template id and fields; nil when the
    /// send carries none (planned before the mapping named the provider).
    static func mapping(of message: ChannelMessage, for provider: String)
        -> (content: JSONValue, templateID: String, data: JSONOutput)? {
        guard let content = message.providerContent?[provider], let templateID = content["template_id"]?.stringValue,
              let data = data(content["data"]) else { return nil }
        return (content, templateID, data)
    }

    /// `data: { thing1: "…" }` as WeChat wants it: `{ thing1: { value: "…" } }`.
    static func data(_ params: JSONValue?) -> JSONOutput? {
        guard let params, case .object(let members) = params.kind else { return nil }
        return .object(members.map { ($0.key, JSONOutput.object([("value", .string($0.value.stringValue ?? ""))])) })
    }
}
