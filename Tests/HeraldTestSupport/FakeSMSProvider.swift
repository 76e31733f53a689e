import Foundation
import HeraldCore
import HeraldCrypto
import Synchronization

/// A loopback Tencent Cloud or Alibaba Cloud SMS API for tests and the benchmark. It checks
/// every request's signature with its own code — the canonical request, string to sign and
/// encodings are rebuilt here from the provider's documentation, with Foundation's date,
/// percent-encoding and base64 (not the adapter's), over libcrypto's HMAC, whose wrapper is
/// checked against RFC vectors — and answers in the provider's own format: success with a
/// message id, a per-number or per-call error code, any HTTP status, a delay, or a reset.
///
/// Receipts: every accepted send is queued as delivered unless the script says otherwise;
/// Tencent's `PullSmsSendStatus` hands out the queue, Alibaba's `QuerySendDetails` answers
/// per BizId.
public final class FakeSMSProvider: Sendable {
    public enum Flavor: Sendable {
        case tencent(secretID: String, secretKey: String)
        case aliyun(accessKeyID: String, accessKeySecret: String)
    }

    public enum Answer: Sendable {
        case accept
        /// Accepted, and its receipt will say undelivered.
        case acceptUndelivered
        /// The provider's error code (per number or per call, as the provider sends that code).
        case refuse(String)
        case http(Int, body: String)
        /// Waits, then answers.
        indirect case delayed(Double, Answer)
        case reset
    }

    public struct Call: Sendable {
        /// `SendSms`, `PullSmsSendStatus`, `QuerySendDetails`.
        public var action: String
        public var signatureValid: Bool
        /// What made the signature fail, when it did.
        public var signatureProblem: String?
        /// SessionContext (Tencent) or OutId (Alibaba): Herald's idempotency key.
        public var key: String
        public var phone: String
        public var signName: String
        public var templateID: String
        /// In order (Tencent) or sorted by name (Alibaba's `name=value`).
        public var params: [String]
        /// Calls with this key so far, this one included.
        public var occurrence: Int
    }

    private struct State {
        var calls: [Call] = []
        var keys: [String: Int] = [:]
        var accepted: [String: Int] = [:]
        var serial = 0
        /// Receipts not yet pulled: (message id, delivered).
        var receipts: [(id: String, delivered: Bool)] = []
    }

    public let flavor: Flavor
    private let state = Mutex(State())
    private let script: @Sendable (Call) -> Answer
    private let gatewayBox = Mutex<LoopbackGateway?>(nil)

    public init(_ flavor: Flavor, script: @escaping @Sendable (Call) -> Answer = { _ in .accept }) throws {
        self.flavor = flavor
        self.script = script
        let gateway = try LoopbackGateway { [weak self] request in
            guard let self else { return .resetBeforeResponse }
            return self.answer(request)
        }
        gatewayBox.withLock { $0 = gateway }
    }

    public var gateway: LoopbackGateway { gatewayBox.withLock { $0! } }

    /// The endpoint to configure (`endpoint:`): loopback, so plain http is allowed.
    public var endpoint: String { "http://127.0.0.1:\(gateway.port)" }

    public var calls: [Call] { state.withLock { $0.calls } }

    /// Sends accepted, per idempotency key.
    public var acceptedCounts: [String: Int] { state.withLock { $0.accepted } }

    public func stop() { gateway.stop() }

    private func answer(_ request: LoopbackGateway.Request) -> LoopbackGateway.Reply {
        switch flavor {
        case .tencent(let id, let key): tencent(request, secretID: id, secretKey: key)
        case .aliyun(let id, let secret): aliyun(request, accessKeyID: id, secret: secret)
        }
    }

    private func record(_ call: Call) -> (Call, Answer) {
        var call = call
        state.withLock { state in
            if call.action == "SendSms" {
                state.keys[call.key, default: 0] += 1
                call.occurrence = state.keys[call.key]!
            }
            state.calls.append(call)
        }
        return (call, call.signatureValid ? script(call) : .refuse(""))
    }

    /// An accepted send's message id, its receipt queued.
    private func accept(_ call: Call, delivered: Bool) -> String {
        state.withLock { state in
            state.serial += 1
            let id = "fake-\(state.serial)"
            state.accepted[call.key, default: 0] += 1
            state.receipts.append((id, delivered))
            return id
        }
    }

    private func takeReceipts() -> [(id: String, delivered: Bool)] {
        state.withLock { state in
            defer { state.receipts.removeAll() }
            return state.receipts
        }
    }

    private func receipt(for id: String) -> Bool? {
        state.withLock { state in state.receipts.first { $0.id == id }?.delivered }
    }

    // MARK: Tencent Cloud API 3.0

    private func tencent(_ request: LoopbackGateway.Request, secretID: String, secretKey: String)
        -> LoopbackGateway.Reply {
        // The body through Herald's JSON parser (the fake checks the signature, not the parser;
        // Foundation's is slow enough to skew the benchmark).
        let body = (try? JSONParser.parse(request.body, dialect: .json)) ?? JSONValue(.object([]), at: SourcePosition(line: 1, column: 1))
        let problem = Self.tencentSignatureProblem(request, secretID: secretID, secretKey: secretKey)
        let action = request.headers["x-tc-action"] ?? ""
        func strings(_ key: String) -> [String] {
            guard case .array(let items)? = body[key]?.kind else { return [] }
            return items.compactMap(\.stringValue)
        }
        let (call, answer) = record(Call(
            action: action, signatureValid: problem == nil, signatureProblem: problem,
            key: body["SessionContext"]?.stringValue ?? "", phone: strings("PhoneNumberSet").first ?? "",
            signName: body["SignName"]?.stringValue ?? "", templateID: body["TemplateId"]?.stringValue ?? "",
            params: strings("TemplateParamSet"), occurrence: 0))
        func json(_ members: [(String, JSONOutput)]) -> LoopbackGateway.Reply {
            .status(200, body: JSONOutput.object([("Response", .object(members + [("RequestId", "r")]))]).rendered())
        }
        func status(_ serial: String, code: String, message: String) -> LoopbackGateway.Reply {
            json([("SendStatusSet", .array([.object([
                ("SerialNo", .string(serial)), ("PhoneNumber", .string(call.phone)), ("Fee", .integer(serial.isEmpty ? 0 : 1)),
                ("SessionContext", .string(call.key)), ("Code", .string(code)), ("Message", .string(message)),
                ("IsoCode", "CN"),
            ])]))])
        }
        guard call.signatureValid else {
            return json([("Error", .object([("Code", "AuthFailure.SignatureFailure"),
                                            ("Message", "The provided credentials could not be validated.")]))])
        }
        if action == "PullSmsSendStatus" {
            let set = takeReceipts().map { receipt -> JSONOutput in
                .object([("SerialNo", .string(receipt.id)), ("ReportStatus", receipt.delivered ? "SUCCESS" : "FAIL"),
                         ("Description", receipt.delivered ? "用户短信送达成功" : "DELIVRD_FAIL"),
                         ("UserReceiveTime", "2026-03-10 12:00:05"), ("PhoneNumber", "+8613800000000"),
                         ("SessionContext", "")])
            }
            return json([("PullSmsSendStatusSet", .array(set))])
        }
        func reply(_ answer: Answer) -> LoopbackGateway.Reply {
            switch answer {
            case .accept, .acceptUndelivered:
                let id = accept(call, delivered: { if case .accept = answer { true } else { false } }())
                return status(id, code: "Ok", message: "send success")
            case .refuse(let code) where code.hasPrefix("LimitExceeded.Phone") || code.contains("PhoneNumber"):
                return status("", code: code, message: "refused")
            case .refuse(let code):
                return json([("Error", .object([("Code", .string(code)), ("Message", "refused by the fake")]))])
            case .http, .delayed, .reset:
                return Self.transportReply(answer, then: reply)
            }
        }
        return reply(answer)
    }

    /// TC3-HMAC-SHA256 rebuilt from Tencent's signature v3 document; nil when it matches.
    static func tencentSignatureProblem(_ request: LoopbackGateway.Request, secretID: String,
                                        secretKey: String) -> String? {
        guard let authorization = request.headers["authorization"],
              let timestampText = request.headers["x-tc-timestamp"], let timestamp = TimeInterval(timestampText),
              let contentType = request.headers["content-type"], let host = request.headers["host"]
        else { return "missing Authorization, X-TC-Timestamp, Content-Type or Host" }
        // The UTC day by the C library's calendar (not Herald's).
        var seconds = time_t(timestamp)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let date = "\(parts.tm_year + 1900)-\(twoDigits[Int(parts.tm_mon + 1)])-\(twoDigits[Int(parts.tm_mday)])"
        let payloadHash = hex(Digest.hash(.sha256, Array(request.body.utf8)))
        let canonical = "POST\n/\n\ncontent-type:\(contentType)\nhost:\(host)\n\ncontent-type;host\n\(payloadHash)"
        let canonicalHash = hex(Digest.hash(.sha256, Array(canonical.utf8)))
        let scope = "\(date)/sms/tc3_request"
        let toSign = "TC3-HMAC-SHA256\n\(timestampText)\n\(scope)\n\(canonicalHash)"
        var key = Array("TC3\(secretKey)".utf8)
        for part in [date, "sms", "tc3_request"] { key = Digest.hmac(.sha256, key: key, Array(part.utf8)) }
        let expected = hex(Digest.hmac(.sha256, key: key, Array(toSign.utf8)))
        let wanted = "TC3-HMAC-SHA256 Credential=\(secretID)/\(scope), SignedHeaders=content-type;host, "
            + "Signature=\(expected)"
        return authorization == wanted ? nil : "Authorization \(authorization) is not \(wanted)"
    }

    // MARK: Alibaba Cloud RPC

    private func aliyun(_ request: LoopbackGateway.Request, accessKeyID: String, secret: String)
        -> LoopbackGateway.Reply {
        let parameters = Self.formFields(request.body)
        let problem = Self.aliyunSignatureProblem(parameters, accessKeyID: accessKeyID, secret: secret)
        let action = parameters["Action"] ?? ""
        let templateParams = (try? JSONSerialization.jsonObject(with: Data((parameters["TemplateParam"] ?? "{}").utf8)))
            as? [String: String] ?? [:]
        let (call, answer) = record(Call(
            action: action, signatureValid: problem == nil, signatureProblem: problem, key: parameters["OutId"] ?? "",
            phone: parameters["PhoneNumbers"] ?? parameters["PhoneNumber"] ?? "", signName: parameters["SignName"] ?? "",
            templateID: parameters["TemplateCode"] ?? "",
            params: templateParams.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }, occurrence: 0))
        func json(_ object: [String: Any], status: Int = 200) -> LoopbackGateway.Reply {
            let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data()
            return .status(status, body: String(decoding: data, as: UTF8.self))
        }
        guard call.signatureValid else {
            return json(["Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched.",
                         "RequestId": "r"], status: 400)
        }
        if action == "QuerySendDetails" {
            let id = parameters["BizId"] ?? ""
            guard let delivered = receipt(for: id) else {
                return json(["Code": "OK", "Message": "OK", "TotalCount": 0, "SmsSendDetailDTOs": ["SmsSendDetailDTO": []]])
            }
            return json(["Code": "OK", "Message": "OK", "TotalCount": 1, "SmsSendDetailDTOs": ["SmsSendDetailDTO": [
                ["SendStatus": delivered ? 3 : 2, "ErrCode": delivered ? "DELIVERED" : "MK:0001",
                 "ReceiveDate": "2026-03-10 12:00:05", "PhoneNum": call.phone, "OutId": ""],
            ]]])
        }
        func reply(_ answer: Answer) -> LoopbackGateway.Reply {
            switch answer {
            case .accept, .acceptUndelivered:
                let id = accept(call, delivered: { if case .accept = answer { true } else { false } }())
                return json(["Code": "OK", "Message": "OK", "BizId": id, "RequestId": "r"])
            case .refuse(let code):
                return json(["Code": code, "Message": "refused by the fake", "RequestId": "r"],
                            status: code.hasPrefix("isv.") || code.hasPrefix("isp.") ? 200 : 400)
            case .http, .delayed, .reset:
                return Self.transportReply(answer, then: reply)
            }
        }
        return reply(answer)
    }

    /// The answers both providers give alike: a bare HTTP status, a delay before the provider's
    /// own answer (`then`), a reset.
    private static func transportReply(_ answer: Answer, then: (Answer) -> LoopbackGateway.Reply)
        -> LoopbackGateway.Reply {
        switch answer {
        case .http(let status, let text):
            return .status(status, body: text)
        case .delayed(let seconds, let next):
            guard case .status(let status, let headers, let text, _) = then(next) else { return then(next) }
            return .status(status, headers: headers, body: text, delay: seconds)
        case .reset:
            return .resetBeforeResponse
        default:
            return then(answer)
        }
    }

    /// `a=1&b=%E4%BD%A0`, decoded with Foundation.
    static func formFields(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let name = parts[0].removingPercentEncoding,
                  let value = parts[1].removingPercentEncoding else { continue }
            fields[name] = value
        }
        return fields
    }

    /// Alibaba Cloud's RPC signature (version 1.0, HMAC-SHA1) rebuilt from its document; nil when it matches.
    static func aliyunSignatureProblem(_ fields: [String: String], accessKeyID: String, secret: String) -> String? {
        guard let signature = fields["Signature"] else { return "no Signature" }
        guard fields["AccessKeyId"] == accessKeyID else { return "AccessKeyId \(fields["AccessKeyId"] ?? "none")" }
        guard fields["SignatureMethod"] == "HMAC-SHA1", fields["SignatureVersion"] == "1.0",
              fields["SignatureNonce"]?.isEmpty == false, fields["Timestamp"]?.hasSuffix("Z") == true
        else { return "SignatureMethod, SignatureVersion, SignatureNonce or Timestamp missing or wrong" }
        var unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        unreserved.insert(charactersIn: "-_.~")
        func encode(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? "" }
        let query = fields.filter { $0.key != "Signature" }.sorted { $0.key < $1.key }
            .map { "\(encode($0.key))=\(encode($0.value))" }.joined(separator: "&")
        let toSign = "POST&\(encode("/"))&\(encode(query))"
        let expected = Data(Digest.hmac(.sha1, key: Array("\(secret)&".utf8), Array(toSign.utf8))).base64EncodedString()
        return signature == expected ? nil : "Signature \(signature) is not \(expected)"
    }
}

/// "00"…"99": days and months.
private let twoDigits = (0...99).map { $0 < 10 ? "0\($0)" : "\($0)" }

/// Lowercase hex through a table of the 256 pairs (HeraldCrypto's `hexString` is what is checked).
private let hexPairs: [String] = (0...255).map { byte in
    let digits = Array("0123456789abcdef")
    return String([digits[byte >> 4], digits[byte & 15]])
}

private func hex(_ bytes: [UInt8]) -> String { bytes.map { hexPairs[Int($0)] }.joined() }
