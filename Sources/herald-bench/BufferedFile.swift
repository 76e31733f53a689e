#if canImport(Glibc)
import Glibc
#endif

/// A write-only file with a large stdio buffer, for generating gigabytes of test data quickly.
final class BufferedFile {
    private let file: UnsafeMutablePointer<FILE>

    init(path: String) throws {
        guard let opened = fopen(path, "wb") else { throw BenchError("cannot write \(path)") }
        file = opened
        setvbuf(file, nil, _IOFBF, 1 << 20)
    }

    func write(_ text: String) {
        var text = text
        text.withUTF8 { _ = fwrite($0.baseAddress, 1, $0.count, file) }
    }

    func close() { fclose(file) }
}
