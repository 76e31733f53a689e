import HeraldCore

/// What one import or ingest did, for the summary line and the exit status.
public struct ImportSummary: Sendable, Equatable, CustomStringConvertible {
    /// Data rows read (the header and blank lines not counted).
    public var read = 0
    public var inserted = 0
    public var updated = 0
    /// Rows already stored exactly so: same member data, or an event id seen before.
    public var duplicates = 0
    public var rejected = 0
    /// Rows stored with a remark (e.g. a points spend larger than the known balance).
    public var warnings = 0
    /// Events after the ingest's horizon, left for a later pass (the sandbox's future).
    public var deferred = 0

    public init() {}

    /// A member import's last counts: rows the store changed (inserted, or a profile or
    /// balance that differs) and the members before and after; the rest read and not
    /// rejected were duplicates.
    mutating func count(changedRows: Int, membersBefore: Int64, membersAfter: Int64) {
        inserted = Int(membersAfter - membersBefore)
        updated = changedRows - inserted
        duplicates = read - rejected - changedRows
    }

    public var description: String {
        "read \(read), inserted \(inserted), updated \(updated), duplicates \(duplicates), rejected \(rejected)"
            + (warnings > 0 ? ", warnings \(warnings)" : "") + (deferred > 0 ? ", deferred \(deferred)" : "")
    }
}

/// Where an import sends what it could not store, as it goes (nothing is held in memory).
public protocol RejectedRowSink: AnyObject {
    /// A CSV header, before the first rejected row, so a rejects file can be fixed and re-imported as it is.
    func header(raw: [UInt8]) throws
    /// A rejected row with its raw bytes, terminator included.
    func reject(_ rejection: RowRejection, raw: [UInt8]) throws
    /// A row that was stored, with a remark worth an operator's attention.
    func warn(line: Int, message: String)
}
