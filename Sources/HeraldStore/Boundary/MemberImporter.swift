import Foundation
import HeraldCore

/// Loads members from a file into the store (SPEC 1.4): upsert by id, every bad row reported
/// to the sink with its line and reason while the good rows land.
public protocol MemberImporter: AnyObject {
    /// Throws `Diagnostic` for a file that cannot be imported at all (bad header), and I/O or
    /// store failures; row problems go to `sink` instead.
    func importMembers(from lines: LineReader, format: MemberFileFormat, sink: any RejectedRowSink) throws
        -> ImportSummary
    /// Whether a row may consent to an address on the suppression list (`--allow-suppressed`);
    /// by default such a consent is stored as `no`, with a warning.
    var allowsConsentToSuppressedAddresses: Bool { get set }
}

/// The member file formats `import members` reads.
public enum MemberFileFormat: String, Sendable {
    case csv
    case ndjson

    /// The format a path names: `.ndjson`/`.jsonl`/`.json` → NDJSON, else CSV.
    public init(forPath path: String) {
        let lowercased = path.lowercased()
        self = [".ndjson", ".jsonl", ".json"].contains(where: lowercased.hasSuffix) ? .ndjson : .csv
    }
}
