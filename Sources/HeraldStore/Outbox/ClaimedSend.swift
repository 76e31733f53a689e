import Foundation
import HeraldCore

/// An outbox row the dispatcher holds under a lease: what the gateway call needs, and
/// what the re-check right before it reads (the member's consent and zone as they are now).
public struct ClaimedSend: Sendable {
    public var key: Int64
    public var triggerID: String
    public var memberID: String
    public var category: Trigger.Category
    public var channel: String
    public var channelKind: ChannelKind
    /// Never logged: logs name the row by its key.
    public var address: String
    public var title: String?
    public var text: String
    public var idempotencyKey: String
    public var scheduledAt: Date
    public var expiresAt: Date?
    /// Gateway calls made so far on this channel.
    public var attempts: Int
    /// The member's consent for this channel, read when the row was claimed.
    public var consent: Consent
    /// The member's own zone; nil means the config's default.
    public var timeZoneIdentifier: String?
    /// Whether another channel's rendering waits behind this one.
    public var hasFallback: Bool
}
