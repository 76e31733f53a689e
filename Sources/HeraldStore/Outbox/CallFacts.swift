import Foundation
import HeraldCore

/// The row as it is right before its call, read in the transaction that starts the call.
public struct CallFacts: Sendable {
    /// The member's consent for the row's channel now.
    public var consent: Consent
    /// The member's own zone now; nil means the config's default.
    public var timeZoneIdentifier: String?
    public var expiresAt: Date?
    /// The row's address is on the suppression list (a provider said it can never receive).
    public var addressSuppressed = false
}
