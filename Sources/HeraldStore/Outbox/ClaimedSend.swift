import Foundation
import HeraldCore

/// An outbox row the dispatcher holds under its lease: what the gateway call needs. What
/// the re-check reads (consent, zone, expiry) is not here: it is read again from the store
/// right before the call starts (`OutboxQueue.startCalls`).
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
    public var segments: Int?
    /// `outbox.provider_content`: the mapping rendered for template-based providers.
    public var providerContent: String?
    public var idempotencyKey: String
    public var scheduledAt: Date
    public var expiresAt: Date?
    /// Gateway calls charged so far on this channel.
    public var attempts: Int
    /// Times a throttling gateway deferred it (no attempt spent), and since when.
    public var deferrals: Int
    public var deferredSince: Date?
    /// Whether another channel's rendering waits behind this one.
    public var hasFallback: Bool
    /// The member's zone as stored (nil: the config's default), for windows after a deferral.
    public var timeZoneIdentifier: String?
    /// The send's link token (its tracked links, and an e-mail's unsubscribe URL).
    public var linkToken: String? = nil
    /// An e-mail's HTML rendering (`outbox.html`).
    public var html: String? = nil
    /// The occurrence's coupon; nil: its trigger has no offer.
    public var coupon: ClaimedCoupon? = nil
}
