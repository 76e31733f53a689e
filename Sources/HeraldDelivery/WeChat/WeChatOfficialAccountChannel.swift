import Foundation
import HeraldCore

/// `adapter: "wechat_oa"`: an official account's template message (`POST
/// /cgi-bin/message/template/send`) to a follower's openid. The mapping file names the
/// template, where a tap goes and the fields:
/// `{ oa: { template_id: "…", url: "https://s.example.cn/{{ link.token }}", data: { thing1: "…" } } }`
/// — `url` tracked through the local template's link; `page` opens the mini-program
/// `miniprogram_app_id` instead.
///
/// The idempotency key travels as `client_msg_id`, which WeChat uses to drop a repeated send.
/// A member who no longer follows the account (43004) or blocked it (43019) gets consent `no`.
public final class WeChatOfficialAccountChannel: SettingsAdapter {
    public static let adapterName = "wechat_oa"
    public static let optionKeys = WeChatSettings.keys + ["miniprogram_app_id"]
    public static let kinds: Set<ChannelKind> = [.wechat]
    public static let mapping: ProviderMappingRules? = {
        var rules = ProviderMappingRules(idKey: "template_id", params: .named, maxParamLength: 32,
                                         source: WeChatSettings.source)
        rules.paramsKey = "data"
        rules.optionalKeys = ["url", "page"]
        rules.fieldLimits = WeChatSettings.fieldLimits
        return rules
    }()

    public let name: String
    private let client: WeChatClient
    private let miniProgramAppID: String?

    public struct Settings: Sendable {
        var wechat: WeChatSettings
        var miniProgramAppID: String?

        init?(_ options: ProviderOptions) {
            let wechat = WeChatSettings(options)
            let miniProgram = options.string("miniprogram_app_id")
            guard let wechat, options.problems.isEmpty else { return nil }
            self.wechat = wechat
            miniProgramAppID = miniProgram
        }
    }

    public static func settings(_ options: ProviderOptions) -> Settings? { Settings(options) }

    public init(name: String, settings: Settings, context: ChannelContext) {
        self.name = name
        client = WeChatClient(appID: settings.wechat.appID, appSecret: settings.wechat.appSecret,
                              endpoint: settings.wechat.endpoint, context: context)
        miniProgramAppID = settings.miniProgramAppID
    }

    public func send(_ message: ChannelMessage) async -> ChannelResult {
        guard let (content, templateID, data) = WeChatSettings.mapping(of: message, for: name) else {
            return .missingMapping(provider: name)
        }
        var body: [(String, JSONOutput)] = [("touser", .string(message.to)), ("template_id", .string(templateID))]
        if let url = content["url"]?.stringValue, !url.isEmpty { body.append(("url", .string(url))) }
        if let page = content["page"]?.stringValue, !page.isEmpty, let miniProgramAppID {
            body.append(("miniprogram", .object([("appid", .string(miniProgramAppID)), ("pagepath", .string(page))])))
        }
        body += [("data", data), ("client_msg_id", .string(String(message.idempotencyKey.prefix(64))))]
        return await client.send(path: "/cgi-bin/message/template/send", body: .object(body))
    }
}
