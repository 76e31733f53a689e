import Foundation
import HeraldCore
import HeraldStore

/// SPEC 5's check right before a call, on the row as the store has it at that moment
/// (`CallFacts`, read in the transaction that starts the call): consent withdrawn →
/// `cancelled`; past `expire` → `expired`; outside its window (member local time, quiet
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
}
