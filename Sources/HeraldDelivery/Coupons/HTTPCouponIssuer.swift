import Foundation
import HeraldCore

/// `adapter: "http"` issuer: one JSON POST per coupon with the issuance key as
/// `Idempotency-Key` (and `{{ idempotency_key }}` for a body that wants it in the JSON).
///
/// A 2xx answer issues the coupon: under the code at `code_field` (a dotted path such as
/// `data.coupon_code`) when the answer has one, else under a top-level `coupon_code`, else
/// under Herald's own code. Other answers are classified like an HTTP gateway's.
public final class HTTPCouponIssuer: CouponIssuer {
    public static let adapterName = "http"
    public static let optionKeys = ["url", "headers", "body", "code_field"] + GatewayEndpoint.keys

    public let name: String
    private let endpoint: GatewayEndpoint
    private let headers: [(name: String, value: String)]
    private let body: RequestBodyTemplate
    /// nil: `coupon_code` if the answer has it.
    private let codePath: [String]?
    /// `max_code_length`; nil: as long as Herald's own code.
    private let maxCodeLength: Int?
    private let transport: any HTTPTransport
    private let clock: any WallClock

    struct Settings {
        var endpoint: GatewayEndpoint
        var headers: [(name: String, value: String)]
        var body: RequestBodyTemplate
        var codePath: [String]?
        var maxCodeLength: Int?

        init?(_ options: ProviderOptions) {
            let endpoint = GatewayEndpoint(options, urlKey: "url", httpsUnlessLoopback: false)
            headers = HTTPChannel.headers(options)
            body = HTTPChannel.body(options, fields: CouponRequest.fieldNames)
            if let path = options.string("code_field") {
                let parts = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
                if parts.contains(where: \.isEmpty) {
                    options.problem("code_field",
                                    "expected a dotted path such as \"data.coupon_code\", found \"\(path)\"")
                }
                codePath = parts
            }
            maxCodeLength = options.integer(SendCodes.issuedCouponLengthOption, in: SendCodes.issuedCouponLengthRange)
            guard let endpoint, options.problems.isEmpty else { return nil }
            self.endpoint = endpoint
        }
    }

    static func check(_ options: ProviderOptions) { _ = Settings(options) }

    static func make(_ options: ProviderOptions, context: ChannelContext) throws -> HTTPCouponIssuer {
        let settings = Settings(options)
        try options.throwFirstProblem()
        guard let settings else { throw options.problemDiagnostic(nil, "its options cannot be read") }
        return HTTPCouponIssuer(name: options.settingName, settings: settings, context: context)
    }

    init(name: String, settings: Settings, context: ChannelContext) {
        self.name = name
        endpoint = settings.endpoint
        headers = [("Content-Type", "application/json; charset=utf-8")] + settings.headers
        body = settings.body
        maxCodeLength = settings.maxCodeLength
        codePath = settings.codePath
        transport = context.transport
        clock = context.clock
    }

    public func issue(_ coupon: CouponRequest) async -> CouponIssuance {
        let request = endpoint.request(headers: headers + [("Idempotency-Key", coupon.idempotencyKey)],
                                       body: Array(body.render(coupon.fields).utf8))
        switch await transport.perform(request) {
        case .success(let response):
            let classified = GatewayEndpoint.classifyStatus(response, now: clock.now())
            // Herald's own credentials refused: the operator's to fix (logged as an error).
            if [401, 403].contains(response.status), let error = classified.error {
                return .failed(.misconfigured(error: error, httpStatus: response.status))
            }
            guard case .accepted = classified else { return .failed(classified) }
            return issuance(from: response, planned: coupon.code)
        case .failure(let failure):
            return .failed(endpoint.classify(failure))
        }
    }

    private func issuance(from response: HTTPResponse, planned: String) -> CouponIssuance {
        func refused(_ why: String) -> CouponIssuance {
            let body = String(decoding: response.body, as: UTF8.self)
            return .failed(.permanent(error: "HTTP \(response.status) \(why): \(body)", httpStatus: response.status))
        }
        let answer = response.body.withUnsafeBufferPointer { try? JSONParser.parse(bytes: $0, dialect: .json) }
        var value = answer
        for key in codePath ?? ["coupon_code"] { value = value?[key] }
        guard case .string(let code)? = value?.kind else {
            // Only a path the config named must be there: without one, Herald's code stands.
            guard let codePath else { return .issued(code: planned) }
            return refused("without a code at \(codePath.joined(separator: "."))")
        }
        let limit = maxCodeLength ?? planned.count
        guard CouponIssuance.isUsableCode(code, maxLength: limit) else {
            let option = SendCodes.issuedCouponLengthOption
            let why = maxCodeLength == nil ? "as long as Herald's own; set \(option) for longer" : "its \(option)"
            return refused("with a code Herald cannot put in a message "
                               + "(expected 1 to \(limit) ASCII letters, digits, '-' or '_', \(why))")
        }
        return .issued(code: String(code))
    }
}
