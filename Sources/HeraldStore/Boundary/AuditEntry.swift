import Foundation

/// One operator action in the audit log: who, when, which command, what it affected.
public struct AuditEntry: Sendable, Equatable {
    /// The entry's place in the chain: 1, 2, …
    public var sequence: Int64
    public var at: Date
    public var actor: String
    /// The command: `suppress add`, `outbox cancel`, `import members`, …
    public var action: String
    /// What it affected — counts, row and member ids, a file name — never an address.
    public var detail: String
    public var previousHash: String
    public var hash: String
}

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
