import Foundation
import HeraldCore

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
