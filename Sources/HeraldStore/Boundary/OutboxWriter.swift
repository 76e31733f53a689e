import Foundation
import HeraldCore

/// Writes an evaluation's decisions as they are taken (SPEC 4): a planned send and its
/// occurrence in one transaction, held-out occurrences, suppressions for the report.
public protocol OutboxWriter: AnyObject, EvaluationSink {
    /// Commits what is open; what was written in all.
    func finish() throws -> OutboxWriteSummary
    /// Rolls back the open batch after a failure (earlier batches stay).
    func abandon()
}
