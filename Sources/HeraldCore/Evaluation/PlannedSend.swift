import Foundation

/// A send the policy planned, rendered and ready for the outbox (SPEC 4): everything the
/// outbox row carries, and what `preview` shows.
public struct PlannedSend: Sendable {
    /// Another channel's rendering of the same send (same link token and coupon).
    public struct Fallback: Sendable, Equatable {
        public var channel: String
        public var channelKind: ChannelKind
        public var address: String
        public var title: String?
        public var text: String
        public var segments: Int?
        /// See `PlannedSend.providerContent`.
        public var providerContent: String?
        /// See `PlannedSend.html`.
        public var html: String?

        public init(channel: String, channelKind: ChannelKind, address: String, title: String?, text: String,
                    segments: Int?, providerContent: String? = nil, html: String? = nil) {
            self.html = html
            self.channel = channel
            self.channelKind = channelKind
            self.address = address
            self.title = title
            self.text = text
            self.segments = segments
            self.providerContent = providerContent
        }
    }

    public struct Coupon: Sendable, Equatable {
        public var code: String
        public var title: String
        public var expiresAt: Date
    }

    public var triggerID: String
    public var category: Trigger.Category
    public var memberKey: Int64
    public var memberID: String
    public var memberName: String?
    public var occurrenceKey: String
    public var channel: String
    public var channelKind: ChannelKind
    /// E.164 phone, push token or e-mail: never logged or printed unmasked.
    public var address: String
    public var scheduledAt: Date
    /// Not delivered by then, the send is dropped (`expire`).
    public var expiresAt: Date?
    /// The member's zone: output shows times on the member's clock.
    public var timeZone: TimeZone
    public var template: String
    public var variant: String?
    public var title: String?
    public var text: String
    public var segments: Int?
    /// E-mail: the HTML rendering, when the template has `email.<locale>.html`.
    public var html: String?
    /// The template mapping rendered for the channel's providers (SPEC 7), a JSON object by
    /// provider name: what template-based providers send. Nil when the template has none.
    public var providerContent: String?
    public var linkToken: String
    public var linkTargets: [String]
    public var coupon: Coupon?
    /// The same send rendered for the trigger's later reachable, consented channels: what
    /// the dispatcher switches to when this channel fails permanently.
    public var fallbacks: [Fallback] = []
    /// `deliver: "all"`: the same send on the trigger's other reachable, consented channels,
    /// each delivered as well (its own outbox row and key; one occurrence, coupon and token).
    public var companions: [Fallback] = []
    /// Purchases up to this instant count towards the trigger's lift (SPEC 6).
    public var attributionUntil: Date

    /// Makes the first companion the send itself (its channel's message could not go out,
    /// an SMS over `max_segments`): the occurrence, token and coupon stay.
    public mutating func promoteFirstCompanion() {
        guard !companions.isEmpty else { return }
        let next = companions.removeFirst()
        (channel, channelKind, address, title, text) = (next.channel, next.channelKind, next.address, next.title, next.text)
        (segments, providerContent, html) = (next.segments, next.providerContent, next.html)
    }

    /// The report's day (SPEC 6): the scheduled instant's date on the member's clock.
    public var localDay: CivilDate { LocalTime.date(of: scheduledAt, in: timeZone) }

    /// The address as logs, previews and reports show it.
    public var maskedAddress: String { AddressMask.masked(address, kind: channelKind) }
}

/// A member whose condition held but who gets nothing, and why.
public struct Suppression: Sendable {
    public var triggerID: String
    public var memberKey: Int64
    public var memberID: String
    public var occurrenceKey: String
    public var reason: SuppressionReason
    public var detail: String
    /// Held-out occurrences keep the instant they would have been sent at (for lift).
    public var scheduledAt: Date?
    /// Held-out occurrences: purchases up to this instant count for the control group.
    public var attributionUntil: Date?
    /// The member's zone: the report's day is the member's.
    public var timeZone: TimeZone

    public init(triggerID: String, memberKey: Int64, memberID: String, occurrenceKey: String, reason: SuppressionReason,
                detail: String, timeZone: TimeZone, scheduledAt: Date? = nil, attributionUntil: Date? = nil) {
        self.triggerID = triggerID
        self.memberKey = memberKey
        self.memberID = memberID
        self.occurrenceKey = occurrenceKey
        self.reason = reason
        self.detail = detail
        self.timeZone = timeZone
        self.scheduledAt = scheduledAt
        self.attributionUntil = attributionUntil
    }
}

/// Privacy by default: how an address appears anywhere but in the gateway call.
public enum AddressMask {
    public static func masked(_ address: String, kind: ChannelKind) -> String {
        switch kind {
        case .sms:
            return PhoneNumber.mask(address)
        case .push, .wechat:
            return String(address.prefix(4)) + "****"
        case .email:
            guard let at = address.firstIndex(of: "@") else { return TemplateFilter.masked(address) }
            // A one-character local part would be shown whole by keeping its first character.
            let local = String(address[..<at])
            return (local.count > 1 ? TemplateFilter.masked(local) : "*") + address[at...]
        }
    }
}
