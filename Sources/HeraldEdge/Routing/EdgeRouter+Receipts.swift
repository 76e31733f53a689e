import Foundation
import HeraldCore
import HeraldStore

/// Delivery receipts from the providers' callbacks (SPEC 8), applied like the `delivered` /
/// `undelivered` events of SPEC 1.5 — through the same ingester, so a send keeps its latest
/// receipt and its status follows — and committed before the provider hears "received".
///
/// - Tencent Cloud (`POST /receipts/tencent`): an array of `{ sid, report_status: SUCCESS|FAIL,
///   user_receive_time, mobile, nationcode, errmsg, description }`; `sid` is the send's provider
///   id. Answered `{"result":0,"errmsg":"OK"}`.
/// - Alibaba Cloud (`POST /receipts/aliyun`): an array of `{ biz_id, success, report_time,
///   phone_number, err_code, err_msg, … }`; `biz_id` is the provider id. Answered
///   `{"code":0,"msg":"成功"}`.
/// - Generic (`POST /receipts/http`): one object or an array of `{ key | provider_id, status:
///   "delivered" | "undelivered", at }`. Answered `{"stored":<n>,"unmatched":<n>}`.
/// Provider times (without an offset) are Beijing time; the generic format's are read on
/// the config's zone when they lack one. A receipt that names no known send is stored as an event and counted as
/// unmatched, as `herald ingest` warns about it.
extension EdgeRouter {
    static let beijing = TimeZone(identifier: "Asia/Shanghai")!

    func receipts(_ request: EdgeRequest, provider: String, answer: @escaping Answer) {
        let reply = ProviderAnswer(provider: provider)
        guard request.method == "POST" else { return answer(.methodNotAllowed("POST")) }
        guard let lines = receiptLines(request.body, provider: provider) else {
            return answer(reply.failure(400, "expected the provider's receipt callback JSON"))
        }
        writer.submit({ _, ingester in
            let sink = CountingRowSink()
            _ = try ingester.ingest(lines: lines, sink: sink)
            return (unmatched: sink.warnings, rejected: sink.rejected)
        }, done: { [self] result in
            guard case .success(let counts) = result else {
                if case .failure(let error) = result { storeFailed(error) }
                return answer(reply.failure(503, "not stored; send it again"))
            }
            counters.add("herald_edge_receipts_total", lines.count)
            if counts.unmatched > 0 || counts.rejected > 0 {
                log("serve.receipts_unmatched", ["provider": provider, "received": "\(lines.count)",
                                                  "unmatched": "\(counts.unmatched)", "rejected": "\(counts.rejected)"])
            }
            answer(provider == "http"
                ? .json(200, #"{"stored":\#(lines.count - counts.rejected),"unmatched":\#(counts.unmatched)}"#)
                : reply.ok)
        })
    }

    /// The callback as ingest lines; nil when the body is not what the provider sends.
    private func receiptLines(_ body: [UInt8], provider: String) -> [String]? {
        guard let text = String(validating: body, as: UTF8.self),
              let value = try? JSONParser.parse(text, dialect: .json) else { return nil }
        let items: [JSONValue] = if case .array(let items) = value.kind { items } else { [value] }
        if provider != "http", case .object = value.kind { return nil }
        var lines: [String] = []
        for item in items {
            guard item.members != nil else { return nil }
            let reference: (name: String, value: String)
            let delivered: Bool
            let at: String?
            switch provider {
            case "tencent":
                guard let sid = item.text("sid"), let status = item.text("report_status") else { return nil }
                (reference, delivered, at) = (("provider_id", sid), status == "SUCCESS", item.text("user_receive_time"))
            case "aliyun":
                guard let bizID = item.text("biz_id"), let success = item.bool("success") else { return nil }
                (reference, delivered, at) = (("provider_id", bizID), success, item.text("report_time"))
            default:
                guard let status = item.text("status"), ["delivered", "undelivered"].contains(status),
                      let named = item.text("key").map({ ("key", $0) }) ?? item.text("provider_id").map({ ("provider_id", $0) })
                else { return nil }
                (reference, delivered, at) = (named, status == "delivered", item.text("at"))
            }
            let type = delivered ? "delivered" : "undelivered"
            // Tencent and Alibaba send Beijing time without an offset, whatever the config's zone.
            let zone = provider == "http" ? timeZone : Self.beijing
            let instant = at.flatMap(InstantParser(defaultTimeZone: zone).parse) ?? clock.now()
            lines.append(JSONOutput.object([
                ("id", .string("receipt-\(provider)-\(reference.value)-\(type)")), ("type", .string(type)),
                ("at", .string(InstantFormatter.utcString(from: instant))), (reference.name, .string(reference.value)),
            ]).rendered())
        }
        return lines
    }
}

extension JSONValue {
    /// A member's text (a string, or a number's digits); nil when absent or of another kind.
    func text(_ key: String) -> String? {
        switch self[key]?.kind {
        case .string(let text): text
        case .number(let digits): digits
        default: nil
        }
    }

    func bool(_ key: String) -> Bool? {
        if case .bool(let value)? = self[key]?.kind { return value }
        return nil
    }
}
