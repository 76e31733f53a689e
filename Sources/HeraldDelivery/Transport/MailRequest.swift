/// One e-mail as the SMTP adapter hands it to the transport: the envelope (who from, to
/// whom), the whole message as it goes after `DATA`, and how to reach the server. Plain
/// values, so the adapter and its tests never touch libcurl.
public struct MailRequest: Sendable {
    /// `smtps://host:465` (TLS from the start) or `smtp://host:587` (STARTTLS).
    public var url: String
    public var username: String?
    public var password: String?
    /// The envelope sender (`MAIL FROM`), a bare address.
    public var from: String
    /// The envelope recipients (`RCPT TO`), bare addresses.
    public var recipients: [String]
    /// Headers and body, CRLF line ends, dot-stuffing left to the transport.
    public var message: [UInt8]
    public var timeout: Duration
    public var connectTimeout: Duration
    /// Refuse to send unless the connection is encrypted (STARTTLS on `smtp://`); off only
    /// for a server on loopback.
    public var requiresTLS: Bool
    /// A PEM bundle to verify the server against instead of the system's CA store.
    public var caFile: String?

    public init(url: String, username: String? = nil, password: String? = nil, from: String, recipients: [String],
                message: [UInt8], timeout: Duration, connectTimeout: Duration? = nil, requiresTLS: Bool = true,
                caFile: String? = nil) {
        self.url = url
        self.username = username
        self.password = password
        self.from = from
        self.recipients = recipients
        self.message = message
        self.timeout = timeout
        self.connectTimeout = min(connectTimeout ?? .seconds(10), timeout)
        self.requiresTLS = requiresTLS
        self.caFile = caFile
    }
}

/// The SMTP server's last reply: `250` when the message was taken, otherwise the code (and
/// libcurl's account of it) of the command it refused.
public struct MailReply: Sendable, Equatable {
    public var code: Int
    public var text: String

    public init(code: Int, text: String) {
        self.code = code
        self.text = text
    }
}

/// Sends e-mail over SMTP. `CurlTransport` is the real one.
public protocol MailTransport: Sendable {
    func send(_ mail: MailRequest) async -> Result<MailReply, HTTPFailure>
}
