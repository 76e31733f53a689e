import Foundation
import HeraldCore
import HeraldStore

/// Inbound SMS (上行) from the providers' reply callbacks (SPEC 8). An opt-out reply
/// (`OptOutReply`) puts the sender's number on the suppression list and opts out of SMS every
/// member with that number — committed before the provider hears "received", so a provider
/// that gets no answer sends the reply again. Other replies are acknowledged and not kept.
///
/// - Tencent Cloud (`POST /replies/tencent`): one object `{ mobile, nationcode, text, time, sign,
///   extend }`; answered `{"result":0,"errmsg":"OK"}`.
/// - Alibaba Cloud (`POST /replies/aliyun`): an array of `{ phone_number, content, send_time,
///   sign_name, dest_code, sequence_id }`; answered `{"code":0,"msg":"成功"}`.
extension EdgeRouter {
    /// One reply as either provider sends it.
    struct Reply {
        var phone: String
        var text: String
    }

    func replies(_ request: EdgeRequest, provider: String) -> EdgeResponse {
        let answer = ProviderAnswer(provider: provider)
        guard request.method == "POST" else { return EdgeResponse.methodNotAllowed("POST") }
        guard let parsed = Self.parseReplies(request.body, provider: provider) else {
            return answer.failure(400, "expected the provider's reply callback JSON")
        }
        do {
            for reply in parsed {
                guard let keyword = OptOutReply.keyword(in: reply.text) else { continue }
                // Alibaba sends a foreign number without its "+".
                guard let phone = PhoneNumber(reply.phone) ?? PhoneNumber("+" + reply.phone) else {
                    log("serve.reply_unreadable", ["provider": provider, "phone": PhoneNumber.mask(reply.phone)])
                    continue
                }
                let members = try writer.with {
                    try $0.applyOptOutReply(phone: phone.e164, keyword: keyword, at: clock.now(),
                                            provider: provider)
                }
                counters.add("herald_edge_opt_out_replies_total")
                log("serve.opted_out", ["provider": provider, "phone": PhoneNumber.mask(phone.e164),
                                        "members": "\(members.count)"])
            }
        } catch {
            storeFailed(error)
            return answer.failure(503, "not stored; send it again")
        }
        return answer.ok
    }

    /// The callback's replies; nil when the body is not what the provider sends.
    static func parseReplies(_ body: [UInt8], provider: String) -> [Reply]? {
        guard let text = String(validating: body, as: UTF8.self),
              let value = try? JSONParser.parse(text, dialect: .json) else { return nil }
        if provider == "tencent" {
            guard let mobile = value.text("mobile"), let text = value.text("text") else { return nil }
            // "86", "+86" or "0086": the digits of the country code.
            var country = Substring(value.text("nationcode") ?? "86")
            while let first = country.first, first == "+" || first == "0" { country = country.dropFirst() }
            return [Reply(phone: mobile.hasPrefix("+") ? mobile : "+\(country.isEmpty ? "86" : country)\(mobile)",
                          text: text)]
        }
        guard case .array(let items) = value.kind else { return nil }
        var replies: [Reply] = []
        for item in items {
            guard let phone = item.text("phone_number"), let text = item.text("content") else { return nil }
            replies.append(Reply(phone: phone, text: text))
        }
        return replies
    }
}
