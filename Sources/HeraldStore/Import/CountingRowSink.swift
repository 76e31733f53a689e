import HeraldCore

/// Counts what an ingest rejected or warned about, keeping nothing else: for events Herald
/// receives from providers (pulled or called-back receipts), where a receipt that names no
/// send is counted and reported, not listed.
public final class CountingRowSink: RejectedRowSink {
    public private(set) var warnings = 0
    public private(set) var rejected = 0

    public init() {}

    public func header(raw: [UInt8]) throws {}
    public func reject(_ rejection: RowRejection, raw: [UInt8]) throws { rejected += 1 }
    public func warn(line: Int, message: String) { warnings += 1 }
}
