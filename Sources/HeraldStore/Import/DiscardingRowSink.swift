import HeraldCore

/// A sink for rows Herald writes itself (clicks the edge redirected, opt-outs from replies):
/// they are well-formed, and what the ingester could still warn about — a token that names
/// no send — is nothing anyone could act on.
public final class DiscardingRowSink: RejectedRowSink {
    public init() {}

    public func header(raw: [UInt8]) throws {}
    public func reject(_ rejection: RowRejection, raw: [UInt8]) throws {}
    public func warn(line: Int, message: String) {}
}
