import Foundation
import Testing
@testable import HeraldCore

/// Feeds bytes through a pipe so the reader sees a real file descriptor.
func lineReader(_ bytes: [UInt8], chunkBytes: Int = 1 << 20, maximumLineBytes: Int = 1 << 20) throws -> LineReader {
    let path = NSTemporaryDirectory() + "herald-core-" + UUID().uuidString
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    defer { try? FileManager.default.removeItem(atPath: path) }
    let descriptor = open(path, O_RDONLY)
    return LineReader(fileDescriptor: descriptor, path: "test.csv", ownsDescriptor: true,
                      maximumLineBytes: maximumLineBytes, chunkBytes: chunkBytes)
}

private func records(_ text: String, chunkBytes: Int = 1 << 20) throws -> [String] {
    try records(bytes: Array(text.utf8), chunkBytes: chunkBytes)
}

/// Each record as `line:field|field` or `line:!reason`.
private func records(bytes: [UInt8], chunkBytes: Int = 1 << 20) throws -> [String] {
    let reader = CSVRecordReader(lines: try lineReader(bytes, chunkBytes: chunkBytes))
    var result: [String] = []
    while true {
        switch try reader.next() {
        case .record(let fields, let line): result.append("\(line):" + fields.joined(separator: "|"))
        case .malformed(let reason, let line): result.append("\(line):!" + reason)
        case .idle: continue
        case .endOfInput: return result
        }
    }
}

@Suite struct CSVRecordReaderTests {
    @Test func plainRowsAndTrailingEmptyField() throws {
        #expect(try records("id,name\nU1,张三\nU2,\n") == ["1:id|name", "2:U1|张三", "3:U2|"])
    }

    @Test func quotedFieldsWithCommasEscapedQuotesAndNewlines() throws {
        let text = "id,name\nU1,\"李, 四\"\nU2,\"say \"\"hi\"\"\"\nU3,\"two\nlines\",x\nU4,y\n"
        #expect(try records(text) == ["1:id|name", "2:U1|李, 四", "3:U2|say \"hi\"", "4:U3|two\nlines|x", "6:U4|y"])
    }

    @Test func crlfAndByteOrderMark() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("id,name\r\nU1,王五\r\nU2,\"a\r\nb\"\r\n".utf8)
        #expect(try records(bytes: bytes) == ["1:id|name", "2:U1|王五", "3:U2|a\r\nb"])
    }

    @Test func noFinalNewlineAndSmallChunks() throws {
        // A 7-byte chunk splits multi-byte Chinese characters and quoted fields across reads.
        #expect(try records("id,name\nU1,\"张三,丰\"\nU2,李四", chunkBytes: 7) == ["1:id|name", "2:U1|张三,丰", "3:U2|李四"])
    }

    @Test func spacesAroundUnquotedFieldsAreTrimmedQuotedKept() throws {
        #expect(try records(" U1 , \" padded \" \n") == ["1:U1| padded "])
    }

    @Test func unclosedQuoteAtEndOfFile() throws {
        #expect(try records("id\nU1,\"open\nstill open") == ["1:id", "2:!a quoted field is not closed before the end of the file"])
    }

    @Test func textAfterClosingQuote() throws {
        #expect(try records("U1,\"ab\"c,d\nU2,e\n") == ["1:!field 2: unexpected text after the closing quote", "2:U2|e"])
    }

    @Test func invalidUTF8IsReportedWithTheField() throws {
        let bytes = Array("U1,".utf8) + [0xFF, 0xFE] + Array("\nU2,ok\n".utf8)
        #expect(try records(bytes: bytes) == ["1:!field 2: invalid UTF-8 (a file saved as GBK or GB18030, as Excel does on Chinese Windows, needs --encoding gb18030)", "2:U2|ok"])
    }

    @Test func recordLongerThanTheLimitIsMalformedNotUnbounded() throws {
        let bytes = Array(("id\n" + String(repeating: "x", count: 100) + "\nU2\n").utf8)
        let reader = CSVRecordReader(lines: try lineReader(bytes, maximumLineBytes: 32))
        guard case .record = try reader.next() else { Issue.record("header"); return }
        guard case .malformed(let reason, 2) = try reader.next() else { Issue.record("long line"); return }
        #expect(reason.contains("longer than 32 bytes"))
        guard case .record(["U2"], 3) = try reader.next() else { Issue.record("line after"); return }
    }

    @Test func rawBytesAreKeptVerbatim() throws {
        let reader = CSVRecordReader(lines: try lineReader(Array("a,\"b\r\nc\"\r\nz\n".utf8)))
        _ = try reader.next()
        #expect(reader.raw == Array("a,\"b\r\nc\"\r\n".utf8))
    }
}
