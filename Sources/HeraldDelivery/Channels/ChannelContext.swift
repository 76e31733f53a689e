import HeraldCore

/// What every adapter may use besides its own config entry.
public struct ChannelContext: Sendable {
    public var secrets: SecretSource
    public var clock: any WallClock
    public var transport: any HTTPTransport
    /// SMTP (`SMTPEmailChannel`).
    public var mailTransport: any MailTransport
    /// Access tokens shared across workers (WeChat); nil: each adapter keeps its own.
    public var tokens: (any SharedTokenStore)?

    public init(secrets: SecretSource = .system, clock: any WallClock = SystemWallClock(),
                transport: any HTTPTransport = CurlTransport.shared,
                mailTransport: any MailTransport = CurlTransport.shared, tokens: (any SharedTokenStore)? = nil) {
        self.tokens = tokens
        self.secrets = secrets
        self.clock = clock
        self.transport = transport
        self.mailTransport = mailTransport
    }
}
