import Foundation
import HeraldCore

extension SQLiteEventIngester {
    /// Ingests events built in memory (receipts a provider reported) exactly as a file of them
    /// would be: the lines go through an anonymous temporary file (`tmpfile`, unlinked from
    /// the start), so the one decoding and storing path serves files, standard input and these.
    public func ingest(lines: [String], sink: any RejectedRowSink) throws -> ImportSummary {
        let place = "<events in memory>"
        guard let file = tmpfile() else {
            throw InputError(path: place, reason: "tmpfile: \(String(cString: strerror(errno)))")
        }
        let bytes = Array(lines.map { $0 + "\n" }.joined().utf8)
        let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        let descriptor = written == bytes.count && fflush(file) == 0 ? dup(fileno(file)) : -1
        fclose(file)
        guard descriptor >= 0 else { throw InputError(path: place, reason: "writing: \(String(cString: strerror(errno)))") }
        lseek(descriptor, 0, SEEK_SET)
        return try ingest(from: LineReader(fileDescriptor: descriptor, path: place, ownsDescriptor: true), sink: sink)
    }
}
