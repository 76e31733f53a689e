import Foundation
import HeraldCore
import HeraldStore

/// SPEC 5's check right before a call, on the row as the store has it at that moment
/// (`CallFacts`, read in the transaction that starts the call): consent withdrawn, or the
/// address on the suppression list (SPEC 7) → `cancelled`; past `expire` → `expired`; outside its window (member local time, quiet
/// hours for marketing) → rescheduled to the next opening, or expired when that lies past
/// `expire`. nil: go ahead. A row whose trigger is no longer in the catalog keeps no window.
public struct DeliveryRecheck: Sendable {
    public let catalog: Catalog

    public init(catalog: Catalog) {
        self.catalog = catalog
    }

    public func outcome(for send: ClaimedSend, facts: CallFacts, at now: Date) -> (DeliveryRecord.Outcome, String)? {
        if !facts.consent.allows(send.category) {
            return (.cancelled, "consent for \(send.channelKind.rawValue) withdrawn")
        }
        if facts.addressSuppressed {
            return (.cancelled, "the address is on the suppression list (a provider reported it unreachable)")
        }
        if let expiresAt = facts.expiresAt, expiresAt <= now {
            return (.expired, "not delivered before it expired")
        }
        guard let trigger = catalog.trigger(id: send.triggerID) else { return nil }
        let zone = TimeZone.iana(facts.timeZoneIdentifier ?? "") ?? catalog.config.timeZone
        guard let opening = trigger.sendWindow(quietHours: catalog.config.quietHours).earliestInstant(atOrAfter: now, in: zone),
              opening > now else { return nil }
        if let expiresAt = facts.expiresAt, opening >= expiresAt {
            return (.expired, "its window opens again only after it expires")
        }
        return (.rescheduled(to: opening), "outside its send window")
    }

    /// Where a row throttled per number waits (SPEC 7): its window's next opening on the
    /// member's clock; an hour later when its window never closes (or its trigger is gone).
    public func nextOpening(for send: ClaimedSend, after now: Date) -> Date {
        let zone = TimeZone.iana(send.timeZoneIdentifier ?? "") ?? catalog.config.timeZone
        let window = catalog.trigger(id: send.triggerID)?.sendWindow(quietHours: catalog.config.quietHours)
        return window?.nextOpening(after: now, in: zone) ?? now + 3600
    }
}
