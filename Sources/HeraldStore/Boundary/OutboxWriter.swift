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

/// What an evaluation's writer wrote.
public struct OutboxWriteSummary: Sendable {
    public var written = 0
    public var heldOut = 0
    /// Occurrences that were already recorded: nothing was written for them.
    public var alreadyRecorded = 0
    /// Suppressions seen for the first time (a member suppressed at every tick counts once).
    public var newlySuppressed: [SuppressionReason: Int] = [:]
    /// The first `skippedListLimit` members newly suppressed as `invalid_data` or `too_long`,
    /// for the worker to log once each with their reason.
    public var newlySkipped: [Suppression] = []
    public static let skippedListLimit = 100

    public init() {}
}
