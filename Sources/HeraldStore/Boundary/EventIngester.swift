import Foundation
import HeraldCore

/// Loads events into the store and applies their effects (SPEC 1.5): each event id is stored
/// once, so re-running an ingest stores nothing twice; bad rows go to the sink.
public protocol EventIngester: AnyObject {
    /// Events after this instant are skipped (the sandbox's history up to its instant); nil: all.
    var horizon: Date? { get set }
    /// Events before this instant are rejected: the store's retention horizon for events
    /// (`retention.events`). Their ids may be gone already, so taking them would count them twice.
    var oldestAccepted: Date? { get set }
    func ingest(from lines: LineReader, sink: any RejectedRowSink) throws -> ImportSummary
    /// The same for lines already in memory (receipts pulled from a provider).
    func ingest(lines: [String], sink: any RejectedRowSink) throws -> ImportSummary
}
