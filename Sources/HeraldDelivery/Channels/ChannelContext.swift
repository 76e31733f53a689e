import HeraldCore

/// What every adapter may use besides its own config entry.
public struct ChannelContext: Sendable {
    public var secrets: SecretSource
    public var clock: any WallClock
    public var transport: any HTTPTransport
    /// SMTP (`SMTPEmailChannel`).
    public var mailTransport: any MailTransport

    public init(secrets: SecretSource = .system, clock: any WallClock = SystemWallClock(),
                transport: any HTTPTransport = CurlTransport.shared,
                mailTransport: any MailTransport = CurlTransport.shared) {
        self.secrets = secrets
        self.clock = clock
        self.transport = transport
        self.mailTransport = mailTransport
    }
}
