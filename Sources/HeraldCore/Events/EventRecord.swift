import Foundation

/// One validated event, ready to store, with the state change it causes (SPEC 1.5).
public struct EventRecord: Sendable, Equatable {
    /// What the event does to the member beyond being stored.
    public enum Effect: Sendable, Equatable {
        case none
        /// `topup` (amount + bonus, positive) and `stored_value_spend` (negative).
        case storedValue(delta: Money)
        case pointsEarn(points: Int64, expiresAt: Date)
        case pointsSpend(points: Int64)
        case consent(channel: ChannelKind, consent: Consent)
    }

    /// Given in the line, or derived from its content (`h:` + 32 hex digits).
    public var id: String
    /// Nil only for delivery receipts, which a gateway sends by idempotency key.
    public var memberID: String?
    public var type: EventType
    public var at: Date
    public var effect: Effect = .none
    /// `purchase` amount, `topup` amount: what `where` filters and reports read.
    public var amount: Money?
    public var sku: String?
    public var category: String?
    /// What links the event to a send: a click's token, a redeemed coupon, a receipt's key or provider id.
    public var reference: String?
    /// The line's JSON object as received, so any attribute can be filtered on later.
    public var payload: String

    public init(id: String, memberID: String?, type: EventType, at: Date, payload: String) {
        self.id = id
        self.memberID = memberID
        self.type = type
        self.at = at
        self.payload = payload
    }
}
