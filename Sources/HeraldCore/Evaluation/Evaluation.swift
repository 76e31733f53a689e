import Foundation

/// The outcome of evaluating every enabled trigger at one instant: who gets what, who
/// does not and why, and per-trigger counts and timings.
public struct Evaluation: Sendable {
    public struct TriggerSummary: Sendable {
        public var triggerID: String
        public var name: String
        /// Members whose condition held.
        public var candidates = 0
        public var planned = 0
        public var suppressed: [SuppressionReason: Int] = [:]
        public var seconds = 0.0

        public init(triggerID: String, name: String) {
            self.triggerID = triggerID
            self.name = name
        }
    }

    public var instant: Date
    public var planned: [PlannedSend] = []
    /// Held-out members are here too, with reason `holdout`.
    public var suppressed: [Suppression] = []
    public var summaries: [TriggerSummary] = []

    public init(instant: Date) {
        self.instant = instant
    }

    /// How many were planned and suppressed (held out apart), for logs and summaries.
    public struct Counts: Sendable, Equatable {
        public var planned = 0
        public var heldOut = 0
        public var suppressed: [SuppressionReason: Int] = [:]
    }

    public var counts: Counts { Counts(summaries) }
}

extension Evaluation.Counts {
    /// The totals of per-trigger summaries (held-out members apart from the suppressed).
    public init(_ summaries: [Evaluation.TriggerSummary]) {
        for summary in summaries {
            planned += summary.planned
            for (reason, count) in summary.suppressed {
                if reason == .holdout { heldOut += count } else { suppressed[reason, default: 0] += count }
            }
        }
    }
}
