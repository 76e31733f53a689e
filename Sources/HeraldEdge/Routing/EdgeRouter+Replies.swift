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

    func replies(_ request: EdgeRequest, provider: String, answer: @escaping Answer) {
        let reply = ProviderAnswer(provider: provider)
        guard request.method == "POST" else { return answer(.methodNotAllowed("POST")) }
        guard let parsed = Self.parseReplies(request.body, provider: provider) else {
            return answer(reply.failure(400, "expected the provider's reply callback JSON"))
        }
        var optOuts: [(phone: String, keyword: String)] = []
        for message in parsed {
            guard let keyword = OptOutReply.keyword(in: message.text) else { continue }
            // Alibaba sends a foreign number without its "+".
            guard let phone = PhoneNumber(message.phone) ?? PhoneNumber("+" + message.phone) else {
                log("serve.reply_unreadable", ["provider": provider, "phone": PhoneNumber.mask(message.phone)])
                continue
            }
            optOuts.append((phone.e164, keyword))
        }
        guard !optOuts.isEmpty else { return answer(reply.ok) }
        writer.submit({ [clock, optOuts] store, _ in
            try optOuts.map { optOut in
                let members = try store.applyOptOutReply(phone: optOut.phone, keyword: optOut.keyword,
                                                         at: clock.now(), provider: provider)
                return (phone: optOut.phone, members: members.count)
            }
        }, done: { [self] result in
            guard case .success(let applied) = result else {
                if case .failure(let error) = result { storeFailed(error) }
                return answer(reply.failure(503, "not stored; send it again"))
            }
            for optOut in applied {
                counters.add("herald_edge_opt_out_replies_total")
                log("serve.opted_out", ["provider": provider, "phone": PhoneNumber.mask(optOut.phone),
                                        "members": "\(optOut.members)"])
            }
            answer(reply.ok)
        })
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
