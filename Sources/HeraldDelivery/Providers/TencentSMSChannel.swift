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
public final class TencentSMSChannel: SettingsAdapter, ReceiptPulling {
    public static let adapterName = "tencent_sms"
    public static let optionKeys = ["secret_id", "secret_key", "sdk_app_id"] + ProviderOptions.smsCommonKeys
    public static let kinds: Set<ChannelKind> = [.sms]
    /// 单个模板变量字符数超过 12 个 (error 1036): https://cloud.tencent.com/document/product/382/3771
    public static let mapping: ProviderMappingRules? = ProviderMappingRules(
        idKey: "template_id", params: .list, maxParamLength: 12,
        source: "Tencent Cloud SMS error codes 1036 and 1048, https://cloud.tencent.com/document/product/382/3771")
    static let defaultEndpoint = "https://sms.tencentcloudapi.com"
    static let version = "2021-01-11"
    static let contentType = "application/json; charset=utf-8"

    public let name: String
    private let settings: Settings
    private let signer: TencentSignature
    private let transport: any HTTPTransport
    private let clock: any WallClock
    /// The signing key of the current UTC day (three HMACs saved on every other request).
    private let dayKey = Mutex<(date: String, key: [UInt8])?>(nil)

    public struct Settings: Sendable {
        var endpoint: GatewayEndpoint
        var secretID: String
        var secretKey: String
        var sdkAppID: String
        var signName: String
        var region: String
        var pullEvery: TimeSpan?

        init?(_ options: ProviderOptions) {
            let common = options.smsCommon(defaultEndpoint: TencentSMSChannel.defaultEndpoint,
                                           defaultRegion: "ap-guangzhou")
            let secretID = options.secretString("secret_id", required: true)
            let secretKey = options.secretString("secret_key", required: true)
            let sdkAppID = options.string("sdk_app_id", required: true)
            if let sdkAppID, sdkAppID.isEmpty || !sdkAppID.allSatisfy(\.isASCIIDigit) {
                options.problem("sdk_app_id", "expected the SMS app's SdkAppId, digits such as \"1400006666\", "
                                    + "found \"\(sdkAppID)\"")
            }
            guard let common, let secretID, let secretKey, let sdkAppID, options.problems.isEmpty else { return nil }
            (endpoint, signName, region, pullEvery) = common
            self.secretID = secretID
            self.secretKey = secretKey
            self.sdkAppID = sdkAppID
        }
    }

    public static func settings(_ options: ProviderOptions) -> Settings? { Settings(options) }

    public init(name: String, settings: Settings, context: ChannelContext) {
        self.name = name
        self.settings = settings
        signer = TencentSignature(secretID: settings.secretID, secretKey: settings.secretKey, service: "sms")
        transport = context.transport
        clock = context.clock
    }

    public var receiptPullInterval: TimeSpan? { settings.pullEvery }
    /// `PullSmsSendStatus` hands out whatever arrived.
    public var pullsPerMessage: Bool { false }

    public func send(_ message: ChannelMessage) async -> ChannelResult {
        guard let template = message.providerTemplate(for: name, idKey: "template_id") else {
            return .missingMapping(provider: name)
        }
        let params: [JSONOutput] = template.params.flatMap { value -> [JSONOutput]? in
            guard case .array(let items) = value.kind else { return nil }
            return items.map { .string($0.stringValue ?? "") }
        } ?? []
        let body = JSONOutput.object([
            ("PhoneNumberSet", .array([.string(message.to)])), ("SmsSdkAppId", .string(settings.sdkAppID)),
            ("SignName", .string(settings.signName)), ("TemplateId", .string(template.id)),
            ("TemplateParamSet", .array(params)), ("SessionContext", .string(message.idempotencyKey)),
        ])
        switch await call("SendSms", body: body) {
        case .failure(let failure):
            return settings.endpoint.classify(failure)
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
        let signed = signer.sign(method: "POST", contentType: Self.contentType, host: settings.endpoint.hostHeader,
                                 payload: payload, timestamp: timestamp, signingKey: key)
        let request = settings.endpoint.request(headers: [
            ("Content-Type", Self.contentType), ("Host", settings.endpoint.hostHeader), ("Authorization", signed.authorization),
            ("X-TC-Action", action), ("X-TC-Version", Self.version), ("X-TC-Timestamp", String(timestamp)),
            ("X-TC-Region", settings.region),
        ], body: payload)
        return await transport.perform(request)
    }

    func classify(_ response: HTTPResponse) -> ChannelResult {
        guard let answer = Self.answer(response) else {
            return GatewayEndpoint.classifyForeign(response, now: clock.now(), provider: "Tencent Cloud")
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
        let body = JSONOutput.object([("Limit", .integer(100)), ("SmsSdkAppId", .string(settings.sdkAppID))])
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
