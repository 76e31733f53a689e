#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file descriptor in fixed-size chunks and hands out one line at a time, so memory
/// stays flat whatever the input's size.
///
/// A line ends at `\n`; the raw bytes keep their terminator (`\r\n` stays `\r\n`) so rejected
/// lines can be written out unchanged. A UTF-8 byte-order mark at the start is dropped.
/// A line longer than `maximumLineBytes` is cut there and flagged; the rest of it is skipped.
/// Not covered: lone `\r` line endings (classic Mac OS).
public final class LineReader {
    public enum Next: Equatable {
        /// `line` now holds line number `number`; `isTruncated` when it was cut at the limit.
        case line(number: Int, isTruncated: Bool)
        /// No byte arrived within the idle timeout (a quiet pipe): a good moment to commit. A
        /// line begun but not finished is kept and continued by the next call.
        case idle
        case endOfInput
    }

    public let path: String
    public let maximumLineBytes: Int
    private let fileDescriptor: Int32
    private let ownsDescriptor: Bool
    private let idleTimeoutMilliseconds: Int32
    private var buffer: [UInt8]
    private var start = 0
    private var end = 0
    private var lineNumber = 0
    private var reachedEnd = false
    private var checkedByteOrderMark = false
    /// The start of a line the input paused in (returned as `.idle`).
    private var carriedLine: [UInt8] = []

    /// Opens `path`, or standard input for `-`. `idleTimeout` (seconds) only matters for pipes.
    public convenience init(path: String, idleTimeout: Double? = nil, maximumLineBytes: Int = 1 << 20) throws {
        if path == "-" {
            self.init(fileDescriptor: 0, path: "<stdin>", ownsDescriptor: false, idleTimeout: idleTimeout,
                      maximumLineBytes: maximumLineBytes)
            return
        }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw InputError(path: path, reason: "cannot open: \(String(cString: strerror(errno)))")
        }
        self.init(fileDescriptor: descriptor, path: path, ownsDescriptor: true, idleTimeout: idleTimeout,
                  maximumLineBytes: maximumLineBytes)
    }

    public init(fileDescriptor: Int32, path: String, ownsDescriptor: Bool, idleTimeout: Double? = nil,
                maximumLineBytes: Int = 1 << 20, chunkBytes: Int = 1 << 20) {
        self.fileDescriptor = fileDescriptor
        self.path = path
        self.ownsDescriptor = ownsDescriptor
        self.idleTimeoutMilliseconds = idleTimeout.map { Int32($0 * 1000) } ?? -1
        self.maximumLineBytes = maximumLineBytes
        self.buffer = [UInt8](repeating: 0, count: max(chunkBytes, 16))
    }

    /// Lines already in memory (`path` names them in messages): no file, no copy into a chunk.
    public init(bytes: [UInt8], path: String, maximumLineBytes: Int = 1 << 20) {
        fileDescriptor = -1
        self.path = path
        ownsDescriptor = false
        idleTimeoutMilliseconds = -1
        self.maximumLineBytes = maximumLineBytes
        buffer = bytes
        end = bytes.count
        reachedEnd = true
    }

    deinit {
        if ownsDescriptor { close(fileDescriptor) }
    }

    /// Replaces `line`'s contents with the next line's raw bytes (terminator included).
    public func next(into line: inout [UInt8]) throws -> Next {
        line.removeAll(keepingCapacity: true)
        var isTruncated = false
        var sawAnyByte = !carriedLine.isEmpty
        if sawAnyByte {
            line.append(contentsOf: carriedLine)
            carriedLine.removeAll()
            isTruncated = line.count >= maximumLineBytes
        }
        while true {
            if start == end {
                if reachedEnd { break }
                if idleTimeoutMilliseconds >= 0, !(try waitForInput()) {
                    carriedLine = line
                    line.removeAll(keepingCapacity: true)
                    return .idle
                }
                try refill()
                continue
            }
            sawAnyByte = true
            let newline = buffer.withUnsafeBufferPointer { pointer -> Int? in
                guard let base = pointer.baseAddress,
                      let found = memchr(base + start, 0x0A, end - start)
                else { return nil }
                return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
            }
            let segmentEnd = newline.map { $0 + 1 } ?? end
            let room = maximumLineBytes - line.count
            if room > 0 {
                line.append(contentsOf: buffer[start..<min(segmentEnd, start + room)])
            }
            if segmentEnd - start > room { isTruncated = true }
            start = segmentEnd
            if newline != nil { break }
        }
        if line.isEmpty && !sawAnyByte { return .endOfInput }
        lineNumber += 1
        if !checkedByteOrderMark {
            checkedByteOrderMark = true
            if line.starts(with: [0xEF, 0xBB, 0xBF]) { line.removeFirst(3) }
        }
        return .line(number: lineNumber, isTruncated: isTruncated)
    }

    /// The line's bytes without its `\n` or `\r\n`.
    public static func contentCount(of line: [UInt8]) -> Int {
        var count = line.count
        if count > 0, line[count - 1] == 0x0A { count -= 1 }
        if count > 0, line[count - 1] == 0x0D { count -= 1 }
        return count
    }

    /// Like `next(into:)`, but skips lines of nothing but spaces and tabs, as the
    /// line-per-row importers do.
    public func nextNonBlank(into line: inout [UInt8]) throws -> Next {
        while true {
            let next = try next(into: &line)
            guard case .line = next, line[..<Self.contentCount(of: line)].allSatisfy({ $0 == 0x20 || $0 == 0x09 }) else {
                return next
            }
        }
    }

    private func waitForInput() throws -> Bool {
        var descriptor = pollfd(fd: fileDescriptor, events: Int16(POLLIN), revents: 0)
        while true {
            let ready = poll(&descriptor, 1, idleTimeoutMilliseconds)
            if ready >= 0 { return ready > 0 }
            if errno != EINTR { throw InputError(path: path, reason: "poll failed: \(String(cString: strerror(errno)))") }
        }
    }

    private func refill() throws {
        start = 0
        end = 0
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fileDescriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                end = count
                return
            }
            if count == 0 {
                reachedEnd = true
                return
            }
            if errno != EINTR { throw InputError(path: path, reason: "read failed: \(String(cString: strerror(errno)))") }
        }
    }
}
