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
    public var idempotencyKey: String
    public var scheduledAt: Date
    public var expiresAt: Date?
    /// Gateway calls charged so far on this channel.
    public var attempts: Int
    /// Times a throttling gateway deferred it (no attempt spent).
    public var deferrals: Int
    /// Whether another channel's rendering waits behind this one.
    public var hasFallback: Bool
}

/// The row as it is right before its call, read in the transaction that starts the call.
public struct CallFacts: Sendable {
    /// The member's consent for the row's channel now.
    public var consent: Consent
    /// The member's own zone now; nil means the config's default.
    public var timeZoneIdentifier: String?
    public var expiresAt: Date?
}

/// What `startCalls` did with one row.
public enum CallStart: Sendable, Equatable {
    /// The re-check passed and the call's start is recorded: make the call now.
    case call
    /// The re-check settled it without a call (cancelled, expired, rescheduled); written.
    case settled(DeliveryRecord.Outcome)
    /// The row is no longer this worker's (its lease was recovered elsewhere, or an operator
    /// changed it): no call.
    case notHeld
}
