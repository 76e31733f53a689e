#if canImport(Glibc)
import Glibc
#endif
import Foundation
import HeraldCore

/// Writes a command's `--output` file through its path: a symlink is followed and a device
/// is written to (never replaced by a new file, as an atomic rename would), a new file is
/// created readable by its owner and group (0640), and any write error is thrown with the path.
enum OutputFile {
    static func write(_ text: String, to path: String) throws {
        try write(text, to: path, flags: O_TRUNC, mode: 0o640)
    }

    /// Personal data (`members export`): only into a file that does not exist yet (never through
    /// a symlink, never widening someone's existing file), created readable by its owner only.
    static func writeNew(_ text: String, to path: String) throws {
        try write(text, to: path, flags: O_EXCL, mode: 0o600)
    }

    private static func write(_ text: String, to path: String, flags: Int32, mode: mode_t) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | flags, mode)
        guard descriptor >= 0 else {
            throw failure(path, errno == EEXIST ? "exists already; export writes a new file only" : "cannot open")
        }
        defer { close(descriptor) }
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { throw failure(path, "cannot write") }
            bytes = bytes.dropFirst(written)
        }
    }

    private static func failure(_ path: String, _ what: String) -> InputError {
        InputError(path: path, reason: "\(what): \(String(cString: strerror(errno)))")
    }
}
