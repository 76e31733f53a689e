import Foundation
import HeraldCore
import Synchronization

/// `adapter: "tencent_sms"`: Tencent Cloud SMS API 3.0 `SendSms` (version 2021-01-11),
/// signed with TC3-HMAC-SHA256 (`TencentSignature`). Sends the approved template id and the
/// params rendered from the mapping file; the idempotency key travels in `SessionContext`
/// (echoed back, and in receipts), and `SerialNo` becomes the provider id.
///
/// Answers are classified by `TencentSMSCodes` (`Response.Error.Code` for the call, else the
/// one `SendStatusSet` entry's `Code`); an answer without a code by its HTTP status.
/// Receipts are pulled with `PullSmsSendStatus` when `pull_receipts_every` is set (the
/// console must have "pull" enabled for the app).
public final class TencentSMSChannel: ChannelAdapter, ReceiptPulling {
    public static let adapterName = "tencent_sms"
    public static let optionKeys = [
        "secret_id", "secret_key", "sdk_app_id", "sign_name", "region", "endpoint",
        ProviderMappingRules.lengthOption, ProviderOptions.receiptPullKey,
    ] + GatewayEndpoint.keys
    public static let kinds: Set<ChannelKind> = [.sms]
    /// 单个模板变量字符数超过 12 个 (error 1036): https://cloud.tencent.com/document/product/382/3771
    public static let mapping: ProviderMappingRules? = ProviderMappingRules(
        idKey: "template_id", params: .list, maxParamLength: 12,
        source: "Tencent Cloud SMS error codes 1036 and 1048, https://cloud.tencent.com/document/product/382/3771")
    static let defaultEndpoint = "https://sms.tencentcloudapi.com"
    static let version = "2021-01-11"
    static let contentType = "application/json; charset=utf-8"

    public let name: String
    public let receiptPullInterval: TimeSpan?
    private let endpoint: GatewayEndpoint
    private let signer: TencentSignature
    private let sdkAppID: String
    private let signName: String
    private let region: String
    private let transport: any HTTPTransport
    private let clock: any WallClock
    /// The signing key of the current UTC day (three HMACs saved on every other request).
    private let dayKey = Mutex<(date: String, key: [UInt8])?>(nil)

    private struct Settings {
        var endpoint: GatewayEndpoint
        var secretID: String
        var secretKey: String
        var sdkAppID: String
        var signName: String
        var region: String
        var pullEvery: TimeSpan?

        init?(_ options: ProviderOptions) {
            let endpoint = GatewayEndpoint(options, urlKey: "endpoint", defaultURL: TencentSMSChannel.defaultEndpoint,
                                           httpsUnlessLoopback: true)
            let secretID = options.secretString("secret_id", required: true)
            let secretKey = options.secretString("secret_key", required: true)
            let sdkAppID = options.string("sdk_app_id", required: true)
            if let sdkAppID, sdkAppID.isEmpty || !sdkAppID.allSatisfy(\.isASCIIDigit) {
                options.problem("sdk_app_id", "expected the SMS app's SdkAppId, digits such as \"1400006666\", "
                                    + "found \"\(sdkAppID)\"")
            }
            let signName = options.string("sign_name", required: true)
            if let signName, !(2...12).contains(signName.count) {
                options.problem("sign_name", "expected the approved sign's text, 2 to 12 characters without 【】 "
                                    + "(such as \"悦享会员\"), found \"\(signName)\"")
            }
            let region = options.string("region") ?? "ap-guangzhou"
            if !region.isEmpty, !region.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) {
                options.problem("region", "expected a region such as \"ap-guangzhou\", found \"\(region)\"")
            }
            _ = options.integer(ProviderMappingRules.lengthOption, in: ProviderMappingRules.lengthRange)
            let pullEvery = options.receiptPullInterval
            guard let endpoint, let secretID, let secretKey, let sdkAppID, let signName, options.problems.isEmpty
            else { return nil }
            self.endpoint = endpoint
            self.secretID = secretID
            self.secretKey = secretKey
            self.sdkAppID = sdkAppID
            self.signName = signName
            self.region = region
            self.pullEvery = pullEvery
        }
    }

    public static func check(_ options: ProviderOptions) {
        _ = Settings(options)
    }

    public static func make(_ options: ProviderOptions, context: ChannelContext) throws -> TencentSMSChannel {
        let settings = Settings(options)
        try options.throwFirstProblem()
        return TencentSMSChannel(name: options.name, settings: settings!, context: context)
    }

    private init(name: String, settings: Settings, context: ChannelContext) {
        self.name = name
        endpoint = settings.endpoint
        signer = TencentSignature(secretID: settings.secretID, secretKey: settings.secretKey, service: "sms")
        sdkAppID = settings.sdkAppID
        signName = settings.signName
        region = settings.region
        receiptPullInterval = settings.pullEvery
        transport = context.transport
        clock = context.clock
    }

    public func send(_ message: ChannelMessage) async -> ChannelResult {
        guard let content = message.providerContent?[name], let templateID = content["template_id"]?.stringValue else {
            return .misconfigured(error: "no template mapping for provider \(name) in this send (was it planned "
                                      + "before sms.providers.json5 named \(name)?)", httpStatus: nil)
        }
        let params: [JSONOutput] = content["params"].flatMap { value -> [JSONOutput]? in
            guard case .array(let items) = value.kind else { return nil }
            return items.map { .string($0.stringValue ?? "") }
        } ?? []
        let body = JSONOutput.object([
            ("PhoneNumberSet", .array([.string(message.to)])), ("SmsSdkAppId", .string(sdkAppID)),
            ("SignName", .string(signName)), ("TemplateId", .string(templateID)),
            ("TemplateParamSet", .array(params)), ("SessionContext", .string(message.idempotencyKey)),
        ])
        switch await call("SendSms", body: body) {
        case .failure(let failure):
            return endpoint.classify(failure)
        case .success(let response):
            return classify(response)
        }
    }

    /// One signed API call.
    private func call(_ action: String, body: JSONOutput) async -> Result<HTTPResponse, HTTPFailure> {
        let payload = Array(body.rendered().utf8)
        let timestamp = clock.now().epochSeconds
        let date = TencentSignature.utcDate(timestamp)
        let key = dayKey.withLock { kept in
            if let kept, kept.date == date { return kept.key }
            let fresh = signer.signingKey(forDate: date)
            kept = (date, fresh)
            return fresh
        }
        let signed = signer.sign(method: "POST", contentType: Self.contentType, host: endpoint.hostHeader,
                                 payload: payload, timestamp: timestamp, signingKey: key)
        let request = endpoint.request(headers: [
            ("Content-Type", Self.contentType), ("Host", endpoint.hostHeader), ("Authorization", signed.authorization),
            ("X-TC-Action", action), ("X-TC-Version", Self.version), ("X-TC-Timestamp", String(timestamp)),
            ("X-TC-Region", region),
        ], body: payload)
        return await transport.perform(request)
    }

    func classify(_ response: HTTPResponse) -> ChannelResult {
        guard let answer = Self.answer(response) else {
            let byStatus = GatewayEndpoint.classifyStatus(response, now: clock.now())
            if case .accepted = byStatus {
                return .transient(error: "HTTP \(response.status) with an answer that is not Tencent Cloud's JSON: "
                                      + String(decoding: response.body.prefix(200), as: UTF8.self),
                                  httpStatus: response.status, retryAfter: nil)
            }
            return byStatus
        }
        if let error = answer["Error"] {
            let code = error["Code"]?.stringValue ?? "Error"
            return TencentSMSCodes.classify(code).result(code: code, message: error["Message"]?.stringValue ?? "",
                                                          httpStatus: response.status)
        }
        guard case .array(let statuses)? = answer["SendStatusSet"]?.kind, let status = statuses.first,
              let code = status["Code"]?.stringValue else {
            return .transient(error: "Tencent Cloud answered without SendStatusSet", httpStatus: response.status,
                              retryAfter: nil)
        }
        if code == TencentSMSCodes.success {
            return .accepted(providerID: status["SerialNo"]?.stringValue.map { String($0.prefix(128)) },
                             httpStatus: response.status)
        }
        return TencentSMSCodes.classify(code).result(code: code, message: status["Message"]?.stringValue ?? "",
                                                      httpStatus: response.status)
    }

    /// `Response` of a JSON answer; nil when the body is not one.
    private static func answer(_ response: HTTPResponse) -> JSONValue? { response.jsonBody?["Response"] }

    /// `PullSmsSendStatus`: up to 100 receipts the provider has not handed out yet.
    public func pullReceipts(pending: [PendingReceipt]) async -> Result<[ProviderReceipt], ReceiptPullFailure> {
        let body = JSONOutput.object([("Limit", .integer(100)), ("SmsSdkAppId", .string(sdkAppID))])
        let response: HTTPResponse
        switch await call("PullSmsSendStatus", body: body) {
        case .failure(let failure): return .failure(ReceiptPullFailure("\(failure)"))
        case .success(let answer): response = answer
        }
        guard let answer = Self.answer(response) else {
            return .failure(ReceiptPullFailure("HTTP \(response.status): not Tencent Cloud's JSON"))
        }
        if let error = answer["Error"] {
            return .failure(ReceiptPullFailure("\(error["Code"]?.stringValue ?? "Error"): "
                                               + (error["Message"]?.stringValue ?? "")))
        }
        guard case .array(let items)? = answer["PullSmsSendStatusSet"]?.kind else { return .success([]) }
        // UserReceiveTime is Beijing time, `2019-10-08 17:18:37`.
        let parser = InstantParser(defaultTimeZone: TimeZone(identifier: "Asia/Shanghai")!)
        return .success(items.compactMap { item in
            guard let serial = item["SerialNo"]?.stringValue, let status = item["ReportStatus"]?.stringValue
            else { return nil }
            let at = item["UserReceiveTime"]?.stringValue.flatMap(parser.parse) ?? clock.now()
            let detail = [status, item["Description"]?.stringValue].compactMap { $0 }.joined(separator: " ")
            return ProviderReceipt(providerID: serial, delivered: status == "SUCCESS", at: at, detail: detail)
        })
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
