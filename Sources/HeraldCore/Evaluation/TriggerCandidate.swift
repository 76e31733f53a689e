/// A member whose trigger condition holds at the evaluation instant, with the occurrence
/// it stands for (SPEC 2) and the values the trigger's kind supplies to templates.
public struct TriggerCandidate: Sendable {
    public var member: CandidateMember
    /// `birthday:2026`, `cart:<event id>`, …: sent at most once per (trigger, member).
    public var occurrenceKey: String
    /// Kind-specific template values: `inactive_days`, `points.expiring`, `cart.sku`, …
    public var values: [String: TemplateValue]
    /// Set when the member's stored data cannot be evaluated: the candidate is suppressed
    /// as `invalid_data` with this reason, and the other members go on.
    public var dataProblem: String?

    public init(member: CandidateMember, occurrenceKey: String, values: [String: TemplateValue] = [:]) {
        self.member = member
        self.occurrenceKey = occurrenceKey
        self.values = values
    }
}
