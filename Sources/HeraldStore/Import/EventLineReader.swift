import Foundation
import HeraldCore

/// Reads an event stream (SPEC 1.5, one JSON object a line) for both backends' ingesters:
/// each non-blank line decoded into an event, rejected with its reason, or left for later
/// (after the horizon); `idle` when the input pauses (standard input), so the writer can
/// commit what it has. The caller decides what each line does and counts it.
struct EventLineReader {
    /// What one line turned out to be.
    enum Line {
        case event(EventRecord)
        /// Not an event (bad JSON, a missing attribute, a line too long); the rejection has its line.
        case rejected(RowRejection)
        /// After the horizon: left for a later pass, counted as `deferred`.
        case deferred
    }

    let decoder: EventDecoder
    var horizon: Date?
    var oldestAccepted: Date?

    /// Reads every line, handing each (its number and its bytes, terminator included) to `handle`.
    func read(_ lines: LineReader, _ handle: (_ line: Line, _ number: Int, _ raw: [UInt8]) throws -> Void,
              idle: () throws -> Void) throws {
        var line: [UInt8] = []
        while true {
            switch try lines.nextNonBlank(into: &line) {
            case .endOfInput:
                return
            case .idle:
                try idle()
            case .line(let number, let isTruncated):
                guard !isTruncated else {
                    try handle(.rejected(.lineTooLong(line: number, limit: lines.maximumLineBytes)), number, line)
                    continue
                }
                let count = LineReader.contentCount(of: line)
                let decoded = line.withUnsafeBufferPointer { bytes in
                    Result { () throws(RowRejection) in
                        try decoder.decode(content: UnsafeBufferPointer(rebasing: bytes[..<count]))
                    }
                }
                switch decoded {
                case .success(let record) where horizon.map({ record.at > $0 }) ?? false:
                    try handle(.deferred, number, line)
                case .success(let record) where oldestAccepted.map({ record.at < $0 }) ?? false:
                    try handle(.rejected(RowRejection(line: number, reason: "at: \(InstantFormatter.utcString(from: record.at)) "
                        + "is older than the store keeps events (retention.events, back to "
                        + "\(InstantFormatter.utcString(from: oldestAccepted!))): an old event may have been deleted "
                        + "already, and taking it again would count it twice")), number, line)
                case .success(let record):
                    try handle(.event(record), number, line)
                case .failure(var rejection):
                    rejection.line = number
                    try handle(.rejected(rejection), number, line)
                }
            }
        }
    }
}

extension EventIngester {
    /// Ingests events built in memory (receipts a provider reported, the edge's callbacks)
    /// exactly as a file of them would be: a `LineReader` over the lines' bytes, so the one
    /// decoding and storing path serves files, standard input and these.
    public func ingest(lines: [String], sink: any RejectedRowSink) throws -> ImportSummary {
        let bytes = Array(lines.map { $0 + "\n" }.joined().utf8)
        return try ingest(from: LineReader(bytes: bytes, path: "<events in memory>"), sink: sink)
    }
}
