import Foundation
import HeraldCore

extension SQLEventIngester {
    /// Ingests events built in memory (receipts a provider reported, the edge's callbacks)
    /// exactly as a file of them would be: a `LineReader` over the lines' bytes, so the one
    /// decoding and storing path serves files, standard input and these.
    public func ingest(lines: [String], sink: any RejectedRowSink) throws -> ImportSummary {
        let bytes = Array(lines.map { $0 + "\n" }.joined().utf8)
        return try ingest(from: LineReader(bytes: bytes, path: "<events in memory>"), sink: sink)
    }
}
