import Foundation
import HeraldCore

/// Reads a member file (SPEC 1.4), CSV with a header row or NDJSON, into validated records:
/// each good row is handed to `record`, each bad one reported to the sink with its line and
/// reason (and counted), and `idle` is called when the input pauses (standard input), so the
/// writer can commit what it has. Shared by both backends' importers: how a file is read and
/// what is rejected does not depend on where the members go.
struct MemberFileReader {
    /// Where the records go.
    struct Output {
        var record: (MemberRecord) throws -> Void
        var idle: () throws -> Void
    }

    private var decoder: MemberRecordDecoder
    /// Set by the importer while the suppression list has entries (and the import is not
    /// run with `--allow-suppressed`).
    var consentGuard: SuppressedConsentGuard?

    init(defaultTimeZone: TimeZone) {
        decoder = MemberRecordDecoder(defaultTimeZone: defaultTimeZone)
    }

    /// Throws `Diagnostic` for a file that cannot be imported at all (bad header), and I/O
    /// failures; `summary` counts what was read and rejected.
    mutating func read(_ lines: LineReader, format: MemberFileFormat, summary: inout ImportSummary,
                       sink: any RejectedRowSink, _ output: Output) throws {
        switch format {
        case .csv: try readCSV(CSVRecordReader(lines: lines), file: lines.path, &summary, sink, output)
        case .ndjson: try readNDJSON(lines, &summary, sink, output)
        }
    }

    // MARK: CSV

    private mutating func readCSV(_ records: CSVRecordReader, file: String, _ summary: inout ImportSummary,
                                  _ sink: any RejectedRowSink, _ output: Output) throws {
        var columns: [MemberField] = []
        header: while true {
            switch try records.next() {
            case .endOfInput:
                throw Diagnostic(file: file, line: 1, message: "the file is empty; expected a header row such as id,name,phone")
            case .idle:
                continue
            case .malformed(let reason, let line):
                throw Diagnostic(file: file, line: line, message: "the header row cannot be read: \(reason)")
            case .record(let fields, let line):
                if fields == [""] { continue }
                columns = try Self.columns(fromHeader: fields, file: file, line: line)
                try sink.header(raw: records.raw)
                break header
            }
        }
        var values: [(field: MemberField, input: MemberInput)] = []
        while true {
            switch try records.next() {
            case .endOfInput:
                return
            case .idle:
                try output.idle()
            case .malformed(let reason, let line):
                summary.read += 1
                summary.rejected += 1
                try sink.reject(RowRejection(line: line, reason: reason), raw: records.raw)
            case .record(let fields, let line):
                if fields == [""] { continue }
                summary.read += 1
                guard fields.count == columns.count else {
                    summary.rejected += 1
                    try sink.reject(RowRejection(line: line, reason: "expected \(columns.count) fields as in the header, found \(fields.count)"),
                                    raw: records.raw)
                    continue
                }
                values.removeAll(keepingCapacity: true)
                for (field, text) in zip(columns, fields) { values.append((field, .text(text))) }
                try decode(values, line: line, raw: records.raw, &summary, sink, output)
            }
        }
    }

    static func columns(fromHeader fields: [String], file: String, line: Int) throws -> [MemberField] {
        var columns: [MemberField] = []
        for (offset, name) in fields.enumerated() {
            let normalized = name.trimmingCharacters(in: .whitespaces).lowercased()
            guard let field = MemberField(rawValue: normalized) else {
                throw Diagnostic(file: file, line: line,
                                 message: "column \(offset + 1): unknown column '\(name)' (expected one of: \(MemberField.allNames))")
            }
            guard !columns.contains(field) else {
                throw Diagnostic(file: file, line: line, message: "column \(offset + 1): '\(name)' appears twice in the header")
            }
            columns.append(field)
        }
        guard columns.contains(.id) else {
            throw Diagnostic(file: file, line: line, message: "the header has no 'id' column (every member needs an id)")
        }
        return columns
    }

    // MARK: NDJSON

    private mutating func readNDJSON(_ lines: LineReader, _ summary: inout ImportSummary, _ sink: any RejectedRowSink,
                                     _ output: Output) throws {
        var line: [UInt8] = []
        var values: [(field: MemberField, input: MemberInput)] = []
        while true {
            let number: Int
            switch try lines.nextNonBlank(into: &line) {
            case .endOfInput: return
            case .idle:
                try output.idle()
                continue
            case .line(let lineNumber, let isTruncated):
                number = lineNumber
                summary.read += 1
                if isTruncated {
                    summary.rejected += 1
                    try sink.reject(.lineTooLong(line: number, limit: lines.maximumLineBytes), raw: line)
                    continue
                }
            }
            let count = LineReader.contentCount(of: line)
            let parsed = line.withUnsafeBufferPointer { bytes in
                Result { () throws(JSONSyntaxError) in
                    try JSONParser.parse(bytes: UnsafeBufferPointer(rebasing: bytes[..<count]), dialect: .json)
                }
            }
            do throws(RowRejection) {
                let object: JSONValue
                switch parsed {
                case .success(let value): object = value
                case .failure(let error): throw RowRejection.invalidJSON(error, line: number)
                }
                values.removeAll(keepingCapacity: true)
                try Self.memberValues(of: object, into: &values, line: number)
            } catch {
                summary.rejected += 1
                try sink.reject(error, raw: line)
                continue
            }
            try decode(values, line: number, raw: line, &summary, sink, output)
        }
    }

    private static func memberValues(of object: JSONValue, into values: inout [(field: MemberField, input: MemberInput)],
                                     line: Int) throws(RowRejection) {
        guard let members = object.members else {
            throw RowRejection(line: line, reason: "expected a JSON object, found \(object.kindName)")
        }
        for member in members {
            guard let field = MemberField(rawValue: member.key) else {
                throw RowRejection(line: line, column: member.keyPosition.column,
                                   reason: "unknown key '\(member.key)' (expected one of: \(MemberField.allNames))")
            }
            do {
                values.append((field, try MemberInput(json: member.value)))
            } catch {
                throw RowRejection(line: line, column: member.value.position.column, reason: "\(member.key): \(error.reason)")
            }
        }
    }

    private mutating func decode(_ values: [(field: MemberField, input: MemberInput)], line: Int, raw: [UInt8],
                                 _ summary: inout ImportSummary, _ sink: any RejectedRowSink, _ output: Output) throws {
        var record: MemberRecord
        do {
            record = try decoder.decode(values)
        } catch {
            summary.rejected += 1
            try sink.reject(RowRejection(line: line, reason: error.reason), raw: raw)
            return
        }
        if let warning = try consentGuard?.check(&record) { sink.warn(line: line, message: warning) }
        try output.record(record)
    }
}
