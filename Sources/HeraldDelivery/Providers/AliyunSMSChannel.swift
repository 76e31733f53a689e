import Foundation
import HeraldCore

/// `adapter: "aliyun_sms"`: Alibaba Cloud `SendSms` (version 2017-05-25) as an RPC call,
/// signed with HMAC-SHA1 (`AliyunSignature`: the signature version this API documents with
/// a worked example). Sends the approved template code and the params rendered from the
/// mapping file (`TemplateParam`, by variable name); the idempotency key travels in `OutId`,
/// and `BizId` becomes the provider id.
///
/// Answers are classified by `AliyunSMSCodes` (`Code`), an answer without one by its HTTP
/// status. Receipts are pulled with `QuerySendDetails`, one call per recent send still
/// without one, when `pull_receipts_every` is set.
public final class AliyunSMSChannel: SettingsAdapter, ReceiptPulling {
    public static let adapterName = "aliyun_sms"
    public static let optionKeys = ["access_key_id", "access_key_secret"] + ProviderOptions.smsCommonKeys
    public static let kinds: Set<ChannelKind> = [.sms]
    /// 变量属性 "其他" holds at most 35 characters, and variables may not carry URLs
    /// (isv.PARAM_NOT_SUPPORT_URL): https://help.aliyun.com/zh/sms/user-guide/template-variables
    public static let mapping: ProviderMappingRules? = ProviderMappingRules(
        idKey: "template_code", params: .named, maxParamLength: 35,
        source: "Alibaba Cloud SMS template variable rules, https://help.aliyun.com/zh/sms/user-guide/template-variables")
    static let defaultEndpoint = "https://dysmsapi.aliyuncs.com"
    static let version = "2017-05-25"

    public let name: String
    private let settings: Settings
    private let transport: any HTTPTransport
    private let clock: any WallClock

    public struct Settings: Sendable {
        var endpoint: GatewayEndpoint
        var accessKeyID: String
        var accessKeySecret: String
        var signName: String
        var region: String
        var pullEvery: TimeSpan?

        init?(_ options: ProviderOptions) {
            let common = options.smsCommon(defaultEndpoint: AliyunSMSChannel.defaultEndpoint,
                                           defaultRegion: "cn-hangzhou")
            let keyID = options.secretString("access_key_id", required: true)
            let secret = options.secretString("access_key_secret", required: true)
            guard let common, let keyID, let secret, options.problems.isEmpty else { return nil }
            (endpoint, signName, region, pullEvery) = common
            accessKeyID = keyID
            accessKeySecret = secret
        }
    }

    public static func settings(_ options: ProviderOptions) -> Settings? { Settings(options) }

    public init(name: String, settings: Settings, context: ChannelContext) {
        self.name = name
        self.settings = settings
        transport = context.transport
        clock = context.clock
    }

    public var receiptPullInterval: TimeSpan? { settings.pullEvery }
    /// `QuerySendDetails` answers per number, day and `BizId`.
    public var pullsPerMessage: Bool { true }

    public func send(_ message: ChannelMessage) async -> ChannelResult {
        guard let template = message.providerTemplate(for: name, idKey: "template_code") else {
            return .missingMapping(provider: name)
        }
        let params = JSONOutput.object((template.params?.members ?? []).map { ($0.key, .string($0.value.stringValue ?? "")) })
        let answer = await call([
            "Action": "SendSms", "PhoneNumbers": Self.phoneNumber(message.to), "SignName": settings.signName,
            "TemplateCode": template.id, "TemplateParam": params.rendered(), "OutId": message.idempotencyKey,
        ])
        switch answer {
        case .failure(let failure):
            return settings.endpoint.classify(failure)
        case .success(let response):
            return classify(response)
        }
    }

    /// Domestic numbers as their 11 digits; others as country code and number, without `+`.
    static func phoneNumber(_ e164: String) -> String {
        e164.hasPrefix("+86") ? String(e164.dropFirst(3)) : String(e164.drop { $0 == "+" })
    }

    /// One signed RPC call: the common parameters, the signature, a form-encoded POST.
    private func call(_ parameters: [String: String]) async -> Result<HTTPResponse, HTTPFailure> {
        var all = parameters
        all["AccessKeyId"] = settings.accessKeyID
        all["Format"] = "JSON"
        all["RegionId"] = settings.region
        all["SignatureMethod"] = "HMAC-SHA1"
        all["SignatureNonce"] = UUID().uuidString
        all["SignatureVersion"] = "1.0"
        all["Timestamp"] = InstantFormatter.utcString(from: clock.now())
        all["Version"] = Self.version
        let signature = AliyunSignature.signature(method: "POST", parameters: all, secret: settings.accessKeySecret)
        let body = AliyunSignature.canonicalQuery(all) + "&Signature=" + AliyunSignature.percentEncoded(signature)
        let request = settings.endpoint.request(path: settings.endpoint.url.hasSuffix("/") ? "" : "/", headers: [
            ("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"),
        ], body: Array(body.utf8))
        return await transport.perform(request)
    }

    func classify(_ response: HTTPResponse) -> ChannelResult {
        guard let answer = Self.answer(response), let code = answer["Code"]?.stringValue else {
            return GatewayEndpoint.classifyForeign(response, now: clock.now(), provider: "Alibaba Cloud")
        }
        if code == AliyunSMSCodes.success {
            return .accepted(providerID: answer["BizId"]?.stringValue.map { String($0.prefix(128)) },
                             httpStatus: response.status)
        }
        return AliyunSMSCodes.classify(code).result(code: code, message: answer["Message"]?.stringValue ?? "",
                                                     httpStatus: response.status)
    }

    private static func answer(_ response: HTTPResponse) -> JSONValue? { response.jsonBody }

    /// At most this many `QuerySendDetails` calls per pull.
    static let queriesPerPull = 50

    /// `QuerySendDetails` for each pending send (the API answers per number, date and BizId).
    public func pullReceipts(pending: [PendingReceipt]) async -> Result<[ProviderReceipt], ReceiptPullFailure> {
        let shanghai = TimeZone(identifier: "Asia/Shanghai")!
        let parser = InstantParser(defaultTimeZone: shanghai)
        var receipts: [ProviderReceipt] = []
        for send in pending.prefix(Self.queriesPerPull) {
            if Task.isCancelled { break }
            let day = LocalTime.date(of: send.sentAt, in: shanghai)
            let answer = await call([
                "Action": "QuerySendDetails", "PhoneNumber": Self.phoneNumber(send.address), "BizId": send.providerID,
                "SendDate": String(day.description.filter { $0 != "-" }), "PageSize": "10", "CurrentPage": "1",
            ])
            guard case .success(let response) = answer, let value = Self.answer(response) else {
                return receipts.isEmpty ? .failure(ReceiptPullFailure("QuerySendDetails got no answer")) : .success(receipts)
            }
            guard value["Code"]?.stringValue == AliyunSMSCodes.success else {
                let code = value["Code"]?.stringValue ?? "HTTP \(response.status)"
                return .failure(ReceiptPullFailure("\(code): \(value["Message"]?.stringValue ?? "")"))
            }
            guard case .array(let details)? = value["SmsSendDetailDTOs"]?["SmsSendDetailDTO"]?.kind else { continue }
            for detail in details {
                // SendStatus 1: waiting for the carrier, 2: failed, 3: delivered.
                guard let status = detail["SendStatus"]?.integerValue, status == 2 || status == 3 else { continue }
                let at = detail["ReceiveDate"]?.stringValue.flatMap(parser.parse) ?? clock.now()
                receipts.append(ProviderReceipt(providerID: send.providerID, delivered: status == 3, at: at,
                                                detail: detail["ErrCode"]?.stringValue ?? "\(status)"))
            }
        }
        return .success(receipts)
    }
}
