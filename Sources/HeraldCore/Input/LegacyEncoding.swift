import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads a file written in a Chinese legacy encoding (what Excel and many Chinese systems
/// export: GB18030, its subset GBK, or GB2312) as UTF-8, through the C library's iconv.
///
/// The whole file is converted first into an unlinked temporary file (owner-only, gone when
/// closed), so memory stays flat and line numbers stay those of the original: every newline
/// is kept where it was.
public enum LegacyEncoding {
    /// The names `--encoding` accepts, as iconv knows them.
    public static let names = ["gb18030", "gbk", "gb2312", "utf-8"]

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// A reader of `path` (or standard input for "-") converted from `encoding` to UTF-8;
    /// messages name `path` and its own line numbers. Throws naming the first line that is
    /// not valid in the encoding.
    public static func utf8Lines(of path: String, encoding: String, idleTimeout: Double? = nil) throws -> LineReader {
        let name = encoding.lowercased()
        guard names.contains(name) else {
            throw Failure(description: "--encoding: expected one of \(names.joined(separator: ", ")), found '\(encoding)'")
        }
        if name == "utf-8" { return try LineReader(path: path, idleTimeout: idleTimeout) }
        let input = path == "-" ? 0 : open(path, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw Failure(description: "\(path): cannot open (\(String(cString: strerror(errno))))") }
        defer { if input != 0 { close(input) } }
        var template = Array((NSTemporaryDirectory() as NSString).appendingPathComponent("herald-utf8-XXXXXX").utf8CString)
        let output = mkstemp(&template)
        guard output >= 0 else { throw Failure(description: "cannot make a temporary file for the converted text") }
        unlink(String(cString: template))
        do {
            try convert(from: input, to: output, encoding: name.uppercased(), path: path)
        } catch {
            close(output)
            throw error
        }
        lseek(output, 0, SEEK_SET)
        return LineReader(fileDescriptor: output, path: path == "-" ? "<stdin>" : path, ownsDescriptor: true)
    }

    private enum Step {
        case converted, needsMoreInput
    }

    private static func convert(from input: Int32, to output: Int32, encoding: String, path: String) throws {
        let converter = iconv_open("UTF-8", encoding)
        guard converter != iconv_t(bitPattern: -1) else {
            throw Failure(description: "this system's iconv cannot read \(encoding)")
        }
        defer { iconv_close(converter) }
        var pending: [UInt8] = []
        var line = 1
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var converted = [UInt8](repeating: 0, count: 1 << 18)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            guard count >= 0 else { throw Failure(description: "\(path): cannot read (\(String(cString: strerror(errno))))") }
            pending += chunk[0..<count]
            let atEnd = count == 0
            var consumed = 0
            try pending.withUnsafeMutableBufferPointer { source in
                var inPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(source.baseAddress!).assumingMemoryBound(to: CChar.self)
                var inLeft = source.count
                conversion: while inLeft > 0 {
                    let step = try converted.withUnsafeMutableBufferPointer { target -> Step in
                        var outPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(target.baseAddress!).assumingMemoryBound(to: CChar.self)
                        var outLeft = target.count
                        let failure = iconv(converter, &inPointer, &inLeft, &outPointer, &outLeft) == -1 ? errno : 0
                        let written = target.count - outLeft
                        line += target[0..<written].count { $0 == 0x0A }
                        try write(target.baseAddress!, written, to: output, path: path)
                        switch failure {
                        case 0, E2BIG: return .converted
                        case EINVAL where !atEnd: return .needsMoreInput  // a character split across reads
                        default:
                            throw Failure(description: "\(path):\(line): not valid \(encoding) text (was the file saved "
                                          + "in another encoding? --encoding utf-8 reads it as UTF-8)")
                        }
                    }
                    if step == .needsMoreInput { break conversion }
                }
                consumed = source.count - inLeft
            }
            pending.removeFirst(consumed)
            if atEnd { return }
        }
    }

    private static func write(_ bytes: UnsafeMutablePointer<UInt8>, _ count: Int, to output: Int32, path: String) throws {
        var offset = 0
        while offset < count {
            let written = Glibc.write(output, bytes + offset, count - offset)
            guard written > 0 else { throw Failure(description: "cannot write the converted text of \(path) (\(String(cString: strerror(errno))))") }
            offset += written
        }
    }
}
