/// Splits CSV (RFC 4180) into records, streaming over a `LineReader`.
///
/// Covers: a header row like any other row, quoted fields with `""` escapes, commas and
/// newlines inside quotes (a record then spans several lines and keeps its first line's
/// number), CRLF, a UTF-8 BOM, surrounding spaces around unquoted fields (trimmed).
/// Rejects, per record: invalid UTF-8, text after a closing quote, a quote left open at the
/// end of the input. Not covered: other separators, other encodings (GB18030 must be
/// converted first). A record is capped at the line reader's maximum size.
public final class CSVRecordReader {
    public enum Next {
        case record(fields: [String], line: Int)
        /// A record that cannot be split; `raw` still holds its bytes for the rejects file.
        case malformed(reason: String, line: Int)
        case idle
        case endOfInput
    }

    /// The raw bytes of the record just returned, terminators included.
    public private(set) var raw: [UInt8] = []
    private let lines: LineReader
    private var physicalLine: [UInt8] = []
    private var fieldBytes: [UInt8] = []
    /// A record spanning lines that the input paused in: `raw` holds its start.
    private var isRecordOpen = false
    private var firstLine = 0

    public init(lines: LineReader) {
        self.lines = lines
    }

    public func next() throws -> Next {
        if !isRecordOpen {
            raw.removeAll(keepingCapacity: true)
            firstLine = 0
        }
        isRecordOpen = false
        while true {
            switch try lines.next(into: &physicalLine) {
            case .idle:
                isRecordOpen = !raw.isEmpty
                return .idle
            case .endOfInput:
                if raw.isEmpty { return .endOfInput }
                return .malformed(reason: "a quoted field is not closed before the end of the file", line: firstLine)
            case .line(let number, let isTruncated):
                if raw.isEmpty { firstLine = number }
                raw.append(contentsOf: physicalLine)
                if isTruncated || raw.count > lines.maximumLineBytes {
                    return .malformed(reason: "record is longer than \(lines.maximumLineBytes) bytes", line: firstLine)
                }
                switch split() {
                case .fields(let fields): return .record(fields: fields, line: firstLine)
                case .malformed(let reason): return .malformed(reason: reason, line: firstLine)
                case .needsMoreLines: continue
                }
            }
        }
    }

    private enum Split {
        case fields([String])
        case malformed(String)
        case needsMoreLines
    }

    private func split() -> Split {
        let count = LineReader.contentCount(of: raw)
        return raw.withUnsafeBufferPointer { all in
            let bytes = UnsafeBufferPointer(rebasing: all[0..<count])
            var fields: [String] = []
            var index = 0
            while true {
                let fieldNumber = fields.count + 1
                var quoteStart = index
                while quoteStart < bytes.count, bytes[quoteStart] == 0x20 || bytes[quoteStart] == 0x09 { quoteStart += 1 }
                if quoteStart < bytes.count, bytes[quoteStart] == UInt8(ascii: "\"") {
                    index = quoteStart
                    fieldBytes.removeAll(keepingCapacity: true)
                    index += 1
                    var closed = false
                    while index < bytes.count {
                        let byte = bytes[index]
                        if byte == UInt8(ascii: "\"") {
                            if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\"") {
                                fieldBytes.append(byte)
                                index += 2
                                continue
                            }
                            closed = true
                            index += 1
                            break
                        }
                        fieldBytes.append(byte)
                        index += 1
                    }
                    if !closed { return .needsMoreLines }
                    while index < bytes.count, bytes[index] == UInt8(ascii: " ") || bytes[index] == 0x09 { index += 1 }
                    if index < bytes.count, bytes[index] != UInt8(ascii: ",") {
                        return .malformed("field \(fieldNumber): unexpected text after the closing quote")
                    }
                    guard let text = String(validating: fieldBytes, as: UTF8.self) else {
                        return .malformed("field \(fieldNumber): invalid UTF-8 (a file saved as GBK or GB18030, as Excel does on Chinese Windows, needs --encoding gb18030)")
                    }
                    fields.append(text)
                } else {
                    var fieldEnd = index
                    while fieldEnd < bytes.count, bytes[fieldEnd] != UInt8(ascii: ",") { fieldEnd += 1 }
                    var trimmedStart = index
                    var trimmedEnd = fieldEnd
                    while trimmedStart < trimmedEnd, bytes[trimmedStart] == 0x20 || bytes[trimmedStart] == 0x09 {
                        trimmedStart += 1
                    }
                    while trimmedEnd > trimmedStart, bytes[trimmedEnd - 1] == 0x20 || bytes[trimmedEnd - 1] == 0x09 {
                        trimmedEnd -= 1
                    }
                    guard let text = String(validating: bytes[trimmedStart..<trimmedEnd], as: UTF8.self) else {
                        return .malformed("field \(fieldNumber): invalid UTF-8 (a file saved as GBK or GB18030, as Excel does on Chinese Windows, needs --encoding gb18030)")
                    }
                    fields.append(text)
                    index = fieldEnd
                }
                if index >= bytes.count { return .fields(fields) }
                index += 1  // the comma
                if index == bytes.count {
                    fields.append("")
                    return .fields(fields)
                }
            }
        }
    }
}
