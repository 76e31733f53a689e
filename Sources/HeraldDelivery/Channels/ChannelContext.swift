import HeraldCore

/// What every adapter may use besides its own config entry.
public struct ChannelContext: Sendable {
    public var secrets: SecretSource
    public var clock: any WallClock
    public var transport: any HTTPTransport

    public init(secrets: SecretSource = .system, clock: any WallClock = SystemWallClock(),
                transport: any HTTPTransport = CurlTransport.shared) {
        self.secrets = secrets
        self.clock = clock
        self.transport = transport
    }
}
