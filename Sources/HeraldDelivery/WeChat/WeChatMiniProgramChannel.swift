import Foundation
import HeraldCore

/// `adapter: "wechat_mp"`: a mini-program's subscription message (`subscribeMessage.send`,
/// `POST /cgi-bin/message/subscribe/send`) to the member's openid. The mapping file
/// (`wechat.providers.json5`) names the approved template, the page it opens and its fields:
/// `{ wx: { template_id: "…", page: "pages/coupon/index?id={{ coupon.code }}", data: { thing1: "…" } } }`.
///
/// Options besides `WeChatSettings`: `miniprogram_state` (`formal` [default], `trial`,
/// `developer`: which version the message opens) and `lang` (`zh_CN` [default], `en_US`,
/// `zh_HK`, `zh_TW`). A member who has not subscribed to the template (43101) gets consent
/// `no` for WeChat; they subscribe again in the mini-program (an `opt_in` event).
public final class WeChatMiniProgramChannel: SettingsAdapter {
    public static let adapterName = "wechat_mp"
    public static let optionKeys = WeChatSettings.keys + ["miniprogram_state", "lang"]
    public static let kinds: Set<ChannelKind> = [.wechat]
    public static let mapping: ProviderMappingRules? = {
        var rules = ProviderMappingRules(idKey: "template_id", params: .named, maxParamLength: 32,
                                         source: WeChatSettings.source)
        rules.paramsKey = "data"
        rules.optionalKeys = ["page"]
        rules.fieldLimits = WeChatSettings.fieldLimits
        return rules
    }()

    public let name: String
    private let client: WeChatClient
    private let state: String
    private let lang: String

    public struct Settings: Sendable {
        var wechat: WeChatSettings
        var state: String
        var lang: String

        init?(_ options: ProviderOptions) {
            let wechat = WeChatSettings(options)
            let state = options.string("miniprogram_state") ?? "formal"
            if !["formal", "trial", "developer"].contains(state) {
                options.problem("miniprogram_state", "expected formal, trial or developer, found \"\(state)\"")
            }
            let lang = options.string("lang") ?? "zh_CN"
            if !["zh_CN", "en_US", "zh_HK", "zh_TW"].contains(lang) {
                options.problem("lang", "expected zh_CN, en_US, zh_HK or zh_TW, found \"\(lang)\"")
            }
            guard let wechat, options.problems.isEmpty else { return nil }
            self.wechat = wechat
            self.state = state
            self.lang = lang
        }
    }

    public static func settings(_ options: ProviderOptions) -> Settings? { Settings(options) }

    public init(name: String, settings: Settings, context: ChannelContext) {
        self.name = name
        client = WeChatClient(appID: settings.wechat.appID, appSecret: settings.wechat.appSecret,
                              endpoint: settings.wechat.endpoint, context: context)
        state = settings.state
        lang = settings.lang
    }

    public func send(_ message: ChannelMessage) async -> ChannelResult {
        guard let (content, templateID, data) = WeChatSettings.mapping(of: message, for: name) else {
            return .missingMapping(provider: name)
        }
        var body: [(String, JSONOutput)] = [("touser", .string(message.to)), ("template_id", .string(templateID))]
        if let page = content["page"]?.stringValue, !page.isEmpty { body.append(("page", .string(page))) }
        body += [("data", data), ("miniprogram_state", .string(state)), ("lang", .string(lang))]
        return await client.send(path: "/cgi-bin/message/subscribe/send", body: .object(body))
    }
}
