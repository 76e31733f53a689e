/// What `herald audit --verify` found: the entries read, and the first one whose hash does
/// not follow from its fields and the entry before (nil: the chain is whole).
public struct AuditVerification: Sendable, Equatable {
    public var entries: Int
    public var firstBroken: Int64?
    public var problem: String?
    /// The newest entry's hash: kept somewhere the store's users cannot write, it shows a
    /// chain rewritten from some entry on, or cut off at the end.
    public var lastHash: String?

    public init(entries: Int, firstBroken: Int64? = nil, problem: String? = nil, lastHash: String? = nil) {
        self.entries = entries
        self.firstBroken = firstBroken
        self.problem = problem
        self.lastHash = lastHash
    }
}
