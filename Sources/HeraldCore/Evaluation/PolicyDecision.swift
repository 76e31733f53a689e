import Foundation

/// Why a member whose condition holds gets nothing (SPEC 2.1, in rule order).
public enum SuppressionReason: String, Sendable, CaseIterable {
    case duplicate
    case audience
    case noChannel = "no_channel"
    case noConsent = "no_consent"
    case cap
    case holdout
    /// The member's stored data cannot be evaluated (an instant or amount outside what
    /// Herald accepts, left by an older version or written by hand): skipped, the rest go on.
    case invalidData = "invalid_data"
    /// The SMS rendered for this member would take more than `sms.max_segments`.
    case tooLong = "too_long"
    /// Every reachable address is on the suppression list: a provider said it can never
    /// receive messages (an invalid number, the carrier's block list).
    case addressSuppressed = "address_suppressed"
}

/// What the policy decided for one candidate.
public enum PolicyDecision: Sendable {
    /// Send on `channel` at `scheduledAt`; `variant` when the trigger has variants.
    /// `fallbacks`: the trigger's later channels that are reachable and consented too, in
    /// order — tried when delivery on the first fails permanently (SPEC 5).
    case planned(channel: ChannelConfig, address: String, scheduledAt: Date, variant: Trigger.Variant?,
                 fallbacks: [ChannelRoute])
    /// Kept as a control group: recorded as an occurrence, never sent.
    case heldOut(scheduledAt: Date)
    /// `detail` says it in words for people (the table preview, logs).
    case suppressed(SuppressionReason, detail: String)
}

/// A channel with the member's address on it.
public struct ChannelRoute: Sendable {
    public var channel: ChannelConfig
    public var address: String

    public init(channel: ChannelConfig, address: String) {
        self.channel = channel
        self.address = address
    }
}
