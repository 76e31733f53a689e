import Foundation
import Testing
import HeraldCore
@testable import HeraldDelivery
@_spi(StoreSQL) import HeraldTestSupport

/// The `smtp` e-mail adapter against a real SMTP conversation on loopback (libcurl as the
/// client, `LoopbackSMTPServer` as the server): the envelope and login, the MIME message as
/// received, and how each reply is classified.
@Suite(.timeLimit(.minutes(1))) struct SMTPEmailTests {
    private func channel(_ server: LoopbackSMTPServer, extra: String = "") throws -> ProviderRouter {
        let folder = try TemporaryDirectory()
        let config = try ConfigLoader.parse("""
            { store: { sqlite: 'h.db' }, channels: { email: { adapter: "smtp", url: "\(server.url)",
              username: "noreply@brand.cn", password: "{{ secret.SMTP_PASSWORD }}",
              from: "品牌会员中心 <noreply@brand.cn>", timeout: "10s" \(extra) } } }
            """, path: folder.file("h.json5"))
        let secrets = SecretSource(environment: ["SMTP_PASSWORD": "s3cret"])
        return try #require(try ChannelFactory.makeRouters(config, context: ChannelContext(secrets: secrets))["email"])
    }

    private func message(to: String = "li.lei@example.cn", category: Trigger.Category = .marketing,
                         html: String? = nil) -> ChannelMessage {
        ChannelMessage(idempotencyKey: "hk-4f2a9c", channel: "email", channelKind: .email, category: category, to: to,
                       title: "李雷，您的积分将于本月底到期", text: "您有 1,200 积分将到期。\n回复 T 退订\n.\n结束",
                       html: html, unsubscribeURL: "https://s.example.cn/u/ABCDEFGHJKLM")
    }

    /// The base64 body of the part whose Content-Type starts with `type`, decoded.
    private func part(_ data: String, _ type: String) -> String? {
        let sections = data.components(separatedBy: "Content-Type: \(type)")
        guard sections.count > 1 else { return nil }
        let body = sections[1].components(separatedBy: "\r\n\r\n").dropFirst().first ?? ""
        let encoded = body.components(separatedBy: "\r\n").prefix { !$0.isEmpty && !$0.hasPrefix("--") }.joined()
        return Data(base64Encoded: encoded).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Decodes RFC 2047 encoded words (B encoding, UTF-8) in a header value.
    private func decoded(_ value: String) -> String {
        value.components(separatedBy: " ").map { word -> String in
            guard word.hasPrefix("=?UTF-8?B?"), word.hasSuffix("?="),
                  let data = Data(base64Encoded: String(word.dropFirst(10).dropLast(2))) else { return word + " " }
            return String(decoding: data, as: UTF8.self)
        }.joined().trimmingCharacters(in: .whitespaces)
    }

    @Test func aMarketingMailArrivesWithItsHeadersBodyAndOneClickUnsubscribe() async throws {
        let server = try LoopbackSMTPServer(password: "s3cret")
        let routed = try await channel(server).send(message())
        #expect(routed.result == .accepted(providerID: "hk-4f2a9c@brand.cn", httpStatus: nil))
        let mail = try #require(server.messages.first)
        #expect(mail.from == "noreply@brand.cn" && mail.recipients == ["li.lei@example.cn"])
        #expect(mail.login == "noreply@brand.cn:s3cret")
        #expect(decoded(try #require(mail.header("Subject"))) == "李雷，您的积分将于本月底到期")
        let from = try #require(mail.header("From"))
        #expect(from.hasSuffix(" <noreply@brand.cn>") && decoded(String(from.dropLast(" <noreply@brand.cn>".count))) == "品牌会员中心")
        #expect(mail.header("To") == "<li.lei@example.cn>")
        #expect(mail.header("Message-ID") == "<hk-4f2a9c@brand.cn>")
        #expect(mail.header("List-Unsubscribe") == "<https://s.example.cn/u/ABCDEFGHJKLM>")
        #expect(mail.header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click")
        #expect(mail.header("MIME-Version") == "1.0" && mail.header("Date")?.hasSuffix(" +0000") == true)
        // A line of one dot in the text survives the SMTP transfer (dot-stuffing).
        #expect(part(mail.data, "text/plain") == "您有 1,200 积分将到期。\n回复 T 退订\n.\n结束")
        // Every line within SMTP's limit.
        #expect(mail.data.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 78 })
    }

    @Test func serviceMailHasNoUnsubscribeAndHTMLMakesItMultipart() async throws {
        let server = try LoopbackSMTPServer(password: "s3cret")
        let html = "<p>您有 <b>1,200</b> 积分将到期。</p>"
        _ = try await channel(server).send(message(category: .service, html: html))
        let mail = try #require(server.messages.first)
        #expect(mail.header("List-Unsubscribe") == nil && mail.header("List-Unsubscribe-Post") == nil)
        let type = try #require(mail.header("Content-Type"))
        #expect(type.hasPrefix("multipart/alternative; boundary="))
        #expect(part(mail.data, "text/plain") == "您有 1,200 积分将到期。\n回复 T 退订\n.\n结束")
        #expect(part(mail.data, "text/html") == html)
    }

    @Test func repliesAreClassified() async throws {
        let server = try LoopbackSMTPServer(password: "s3cret") { address in
            switch address {
            case "nobody@example.cn": "550 5.1.1 No such user"
            case "full@example.cn": "452 4.2.2 Mailbox full, try later"
            case "policy@example.cn": "554 5.7.1 Message refused"
            default: "250 2.1.5 OK"
            }
        }
        let router = try channel(server)
        #expect(await router.send(message(to: "nobody@example.cn")).result.name == "recipient_permanent")
        #expect(await router.send(message(to: "full@example.cn")).result.name == "transient")
        #expect(await router.send(message(to: "policy@example.cn")).result.name == "permanent")
        #expect(await router.send(message(to: "not an address")).result.name == "recipient_permanent")
        let wrongPassword = try LoopbackSMTPServer(password: "other")
        let refused = try await channel(wrongPassword).send(message()).result
        #expect(refused.name == "misconfigured", "\(refused)")
        #expect(server.messages.isEmpty && wrongPassword.messages.isEmpty)
        let down = try LoopbackSMTPServer()
        down.stop()
        #expect(try await channel(down).send(message()).result.name == "transient")
    }

    /// Only a refused recipient suppresses the address: a refused sender is the setup (or every
    /// member's address would be suppressed for one wrong `from`), a refusal after DATA the message's.
    @Test func whichCommandWasRefusedDecides() async throws {
        let sender = try LoopbackSMTPServer(password: "s3cret", mailReply: "553 5.7.1 Sender address rejected: not owned by user")
        let senderResult = try await channel(sender).send(message()).result
        #expect(senderResult.name == "misconfigured", "\(senderResult)")
        let content = try LoopbackSMTPServer(password: "s3cret", dataReply: "550 5.7.1 Content denied")
        let contentResult = try await channel(content).send(message()).result
        #expect(contentResult.name == "permanent", "\(contentResult)")
    }

    /// An exchange that broke after a 2xx is never taken for accepted: here the server offers
    /// no STARTTLS to a request that requires it (someone stripping it on the way would look
    /// the same), and libcurl's last reply code is the EHLO's 250.
    @Test func aMissingSTARTTLSIsNotAnAcceptance() async throws {
        let server = try LoopbackSMTPServer()
        let request = MailRequest(url: server.url, from: "noreply@brand.cn", recipients: ["li.lei@example.cn"],
                                  message: Array("Subject: x\r\n\r\nx\r\n".utf8), timeout: .seconds(10), requiresTLS: true)
        let result = await CurlTransport.shared.send(request)
        guard case .failure(.connection) = result else {
            Issue.record("expected a connection failure, got \(result)")
            return
        }
        #expect(server.messages.isEmpty)
    }

    @Test func optionsAreCheckedWithTheirPositions() throws {
        let folder = try TemporaryDirectory()
        let config = try ConfigLoader.parse("""
            { store: { sqlite: 'h.db' }, channels: {
              email: { adapter: "smtp", url: "https://smtp.example.cn", from: "no address" },
              email_b: { adapter: "smtp", url: "smtp://smtp.example.cn:587", from: "a@b.cn", username: "u" },
              sms: { adapter: "smtp", url: "smtps://smtp.example.cn", from: "a@b.cn" } } }
            """, path: folder.file("h.json5"))
        let (problems, _) = ChannelFactory.check(config, secrets: SecretSource(environment: [:]))
        let messages = problems.map(\.message).sorted()
        #expect(messages.contains { $0.hasPrefix("channels.email.url: expected smtps://host:465 or smtp://host:587") })
        #expect(messages.contains { $0.hasPrefix("channels.email.from: expected an address such as") })
        #expect(messages.contains("channels.email_b.username: a username needs its password"))
        #expect(messages.contains { $0.contains("sms") && $0.contains("smtp") }, "\(messages)")
    }

    @Test func headerWordsStayShortDecodeBackAndCannotBreakALine() {
        let subject = String(repeating: "会员专享，", count: 20) + "\r\nBcc: victim@example.cn"
        let encoded = MailMessage.encodedWords(subject)
        let words = encoded.components(separatedBy: "\r\n ")
        #expect(words.count > 1 && words.allSatisfy { $0.count <= 75 && $0.hasPrefix("=?UTF-8?B?") })
        #expect(words.map { String(decoding: Data(base64Encoded: String($0.dropFirst(10).dropLast(2)))!, as: UTF8.self) }
            .joined() == subject)
        #expect(MailMessage.encodedWords("Points expire soon") == "Points expire soon")
        #expect(MailAddress("品牌 <a@b.cn>\r\nBcc: x@y.cn") == nil && MailAddress("a@b") == nil)
    }
}
