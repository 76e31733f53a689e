import Testing
@testable import HeraldCore

/// Lines from memory come out exactly as the same bytes read from a file would.
@Suite struct LineReaderTests {
    private func lines(_ reader: LineReader) throws -> [String] {
        var line: [UInt8] = []
        var result: [String] = []
        while case .line(let number, let isTruncated) = try reader.next(into: &line) {
            result.append("\(number)\(isTruncated ? "!" : ""):" + String(decoding: line, as: UTF8.self))
        }
        return result
    }

    @Test(arguments: [("", 0), ("a\n", 1), ("\u{FEFF}a\r\nb", 2), ("a\n\n\nb\n", 4),
                      ("short\n" + String(repeating: "x", count: 40) + "\nend", 3)])
    func memoryReadsAsAFileDoes(text: String, count: Int) throws {
        let bytes = Array(text.utf8)
        let fromFile = try lines(try lineReader(bytes, maximumLineBytes: 16))
        let fromMemory = try lines(LineReader(bytes: bytes, path: "<memory>", maximumLineBytes: 16))
        #expect(fromMemory == fromFile)
        #expect(fromMemory.count == count)
    }
}
