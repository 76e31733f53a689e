import Foundation
import HeraldCore

/// `adapter: "smtp"`: e-mail through an SMTP server (Tencent Exmail, Alibaba Mail, a company
/// relay) with libcurl, one connection per message.
///
/// Options: `url` (`smtps://smtp.exmail.qq.com:465` with TLS from the start, or
/// `smtp://host:587`, which must upgrade with STARTTLS — plain only to a loopback address),
/// `username` and `password` (AUTH; secrets), `from` (`品牌会员中心 <noreply@brand.cn>`),
/// `reply_to`, `ca_file`. The message is `MailMessage`: the rendered title as subject, the
/// text, `Message-ID` from the idempotency key, and `List-Unsubscribe` one-click on marketing
/// mail when `links.base` is set.
///
/// Classification by the server's reply: 2xx accepted (the `Message-ID` kept as provider id);
/// 530/534/535 (authentication) and a refused sender (5xx to `MAIL FROM`) misconfigured;
/// 550/551/553 to `RCPT TO` (no such mailbox, not local, address refused) the recipient's
/// address, suppressed; other 5xx permanent; 4xx transient (greylisting, a full queue); no
/// reply, or an exchange that broke (no STARTTLS, a certificate that does not verify, a
/// timeout) transient — never accepted.
public final class SMTPEmailChannel: SettingsAdapter {
    public static let adapterName = "smtp"
    public static let optionKeys = ["url", "username", "password", "from", "reply_to", "connect_timeout", "ca_file"]
    public static let kinds: Set<ChannelKind> = [.email]

    public let name: String
    private let settings: Settings
    private let transport: any MailTransport
    private let clock: any WallClock

    public static func settings(_ options: ProviderOptions) -> Settings? { Settings(options) }

    /// The entry with its secrets filled in and its URL and addresses checked.
    public struct Settings: Sendable {
        var url: String
        var requiresTLS: Bool
        var username: String?
        var password: String?
        var from: MailAddress
        var replyTo: String?
        var timeout: Duration
        var timeoutText: String
        var connectTimeout: Duration?
        var caFile: String?

        init?(_ options: ProviderOptions) {
            let written = options.string("url", required: true)
            let username = options.secretString("username")
            let password = options.secretString("password")
            if username != nil && password == nil { options.problem("username", "a username needs its password") }
            let from = options.string("from", required: true)
            let parsedFrom = from.flatMap(MailAddress.init)
            if from != nil && parsedFrom == nil {
                options.problem("from", "expected an address such as \"品牌会员中心 <noreply@brand.cn>\" or "
                                    + "\"noreply@brand.cn\", found \(JSONObjectReader.describe(options["from"]!))")
            }
            let replyTo = options.string("reply_to")
            if let replyTo, !MailAddress.isAddress(replyTo) {
                options.problem("reply_to", "expected a bare address such as \"service@brand.cn\"")
            }
            var connectTimeout: Duration?
            if let span = options.timeSpan("connect_timeout", in: SettingRange.channelTimeout) {
                connectTimeout = .seconds(min(span.seconds, options.timeout.seconds))
            }
            let caFile = options.path("ca_file")
            var url: String?
            var requiresTLS = true
            if let written, let filled = options.filled(written, key: "url") {
                let lowered = filled.lowercased()
                let components = URLComponents(string: filled)
                if !(lowered.hasPrefix("smtps://") || lowered.hasPrefix("smtp://")) || components?.host?.isEmpty != false
                    || filled.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 }) {
                    options.problem("url", "expected smtps://host:465 or smtp://host:587, found "
                                        + JSONObjectReader.describe(options["url"]!))
                } else {
                    url = filled
                    // Plain SMTP only to a server on this machine (a test's); elsewhere STARTTLS or fail.
                    requiresTLS = !(lowered.hasPrefix("smtp://") && GatewayEndpoint.isLoopback(components?.host ?? ""))
                }
            }
            guard let url, let parsedFrom, options.problems.isEmpty else { return nil }
            self.url = url
            self.requiresTLS = requiresTLS
            self.username = username
            self.password = password
            self.from = parsedFrom
            self.replyTo = replyTo
            timeout = .seconds(options.timeout.seconds)
            timeoutText = options.timeout.description
            self.connectTimeout = connectTimeout
            self.caFile = caFile
        }
    }

    public init(name: String, settings: Settings, context: ChannelContext) {
        self.name = name
        self.settings = settings
        transport = context.mailTransport
        clock = context.clock
    }

    public func send(_ message: ChannelMessage) async -> ChannelResult {
        guard MailAddress.isAddress(message.to) else {
            return .recipientPermanent(error: "not an e-mail address", httpStatus: nil)
        }
        let mail = MailMessage(from: settings.from, to: message.to, replyTo: settings.replyTo,
                               subject: message.title ?? "", text: message.text, html: message.html,
                               idempotencyKey: message.idempotencyKey, date: clock.now(),
                               unsubscribeURL: message.category == .marketing ? message.unsubscribeURL : nil)
        let request = MailRequest(url: settings.url, username: settings.username, password: settings.password,
                                  from: settings.from.address, recipients: [message.to], message: mail.rendered,
                                  timeout: settings.timeout, connectTimeout: settings.connectTimeout,
                                  requiresTLS: settings.requiresTLS, caFile: settings.caFile)
        switch await transport.send(request) {
        case .success(let reply): return Self.classify(reply, messageID: mail.messageID)
        case .failure(let failure): return GatewayEndpoint.classify(failure, timeoutText: settings.timeoutText)
        }
    }

    static func classify(_ reply: MailReply, messageID: String) -> ChannelResult {
        let said = "SMTP \(reply.code): \(reply.text)"
        let refusedRecipient = reply.text.contains("RCPT")
        let refusedSender = reply.text.contains("MAIL")
        switch reply.code {
        case 200..<300: return .accepted(providerID: messageID, httpStatus: nil)
        case 530, 534, 535: return .misconfigured(error: said, httpStatus: nil)
        // The sender refused (a `from` the account may not use): the setup, not the recipients.
        case 500..<600 where refusedSender: return .misconfigured(error: said, httpStatus: nil)
        // Only a refused recipient is the recipient's address; the same codes after DATA are the message's.
        case 550...553 where refusedRecipient && reply.code != 552: return .recipientPermanent(error: said, httpStatus: nil)
        case 500..<600: return .permanent(error: said, httpStatus: nil)
        default: return .transient(error: said, httpStatus: nil, retryAfter: nil)
        }
    }
}
