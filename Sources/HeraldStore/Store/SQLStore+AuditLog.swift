import Foundation
import HeraldCore
import HeraldCrypto

/// The audit log (`audit_log`): appended to one entry per operator action, in a hash chain.
extension SQLStore {
    /// The hash the chain's first entry follows.
    static let auditGenesis = String(repeating: "0", count: 64)

    /// SHA-256 over the entry's fields and the hash before it, as one JSON array (no field
    /// can run into the next).
    static func auditHash(sequence: Int64, at: Int64, actor: String, action: String, detail: String,
                          previousHash: String) -> String {
        let fields = JSONOutput.array([.integer(sequence), .integer(at), .string(actor), .string(action),
                                       .string(detail), .string(previousHash)])
        return Digest.sha256(fields.rendered(pretty: false)).hexString
    }

    public func appendAudit(actor: String, action: String, detail: String, at: Date) throws {
        try database.withTransaction {
            // One appender at a time, so two never chain onto the same entry (SQLite's write
            // transaction already is one; PostgreSQL's is released at commit).
            if dialect == .postgres { try database.execute("SELECT pg_advisory_xact_lock(\(Self.auditLockKey))") }
            let last = try database.prepare("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
            let (sequence, previous) = try last.step() ? ((last.integer(at: 0) ?? 0) + 1, last.text(at: 1) ?? "")
                                                       : (1, Self.auditGenesis)
            last.reset()
            let hash = Self.auditHash(sequence: sequence, at: at.epochSeconds, actor: actor, action: action,
                                      detail: detail, previousHash: previous)
            try database.prepare("""
                INSERT INTO audit_log (seq, at, actor, action, detail, previous_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)
                """).run(.integer(sequence), .integer(at.epochSeconds), .text(actor), .text(action), .text(detail),
                         .text(previous), .text(hash))
        }
    }

    /// The advisory lock appenders take on PostgreSQL: any constant other than the evaluator's.
    static let auditLockKey: Int64 = 0x6865_7261_6c64_0002

    public func forEachAuditEntry(since: Date?, actor: String?, _ body: (AuditEntry) throws -> Void) throws {
        var conditions: [String] = []
        var parameters: [SQLValue] = []
        if let since {
            conditions.append("at >= ?")
            parameters.append(.integer(since.epochSeconds))
        }
        if let actor {
            conditions.append("actor = ?")
            parameters.append(.text(actor))
        }
        let condition = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        try database.forEachPage(of: "SELECT seq, at, actor, action, detail, previous_hash, hash FROM audit_log"
                                     + condition + " ORDER BY seq", parameters, pageSize: 1_000, readRow: { row in
            try body(AuditEntry(sequence: row.integer(at: 0) ?? 0,
                                epochSeconds: row.integer(at: 1) ?? 0,
                                actor: row.text(at: 2) ?? "", action: row.text(at: 3) ?? "", detail: row.text(at: 4) ?? "",
                                previousHash: row.text(at: 5) ?? "", hash: row.text(at: 6) ?? ""))
        }, pageDone: {})
    }

    public func verifyAuditLog() throws -> AuditVerification {
        var verification = AuditVerification(entries: 0)
        var expectedSequence: Int64 = 1
        var previous = Self.auditGenesis
        try forEachAuditEntry(since: nil, actor: nil) { entry in
            verification.entries += 1
            guard verification.firstBroken == nil else { return }
            let problem: String? = if entry.sequence != expectedSequence {
                "entry \(expectedSequence) is missing (the next is \(entry.sequence))"
            } else if entry.previousHash != previous {
                "entry \(entry.sequence) does not follow the entry before it (a row was removed or replaced)"
            } else if entry.hash != Self.auditHash(sequence: entry.sequence, at: entry.epochSeconds, actor: entry.actor,
                                                   action: entry.action, detail: entry.detail, previousHash: previous) {
                "entry \(entry.sequence) was changed after it was written (its hash does not match its fields)"
            } else {
                nil
            }
            if let problem {
                verification.firstBroken = entry.sequence
                verification.problem = problem
            }
            expectedSequence = entry.sequence + 1
            previous = entry.hash
            verification.lastHash = entry.hash
        }
        return verification
    }
}
