import Foundation

/// One operator action in the audit log: who, when, which command, what it affected.
public struct AuditEntry: Sendable, Equatable {
    /// The entry's place in the chain: 1, 2, …
    public var sequence: Int64
    /// As stored: the chain hashes this number, not a `Date` made from it.
    public var epochSeconds: Int64
    public var at: Date { Date(timeIntervalSince1970: TimeInterval(epochSeconds)) }
    public var actor: String
    /// The command: `suppress add`, `outbox cancel`, `import members`, …
    public var action: String
    /// What it affected — counts, row ids, a member id's hash, a file name — never an address.
    public var detail: String
    public var previousHash: String
    public var hash: String
}
