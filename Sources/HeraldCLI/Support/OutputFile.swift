#if canImport(Glibc)
import Glibc
#endif
import Foundation
import HeraldCore

/// Writes a command's `--output` file through its path: a symlink is followed and a device
/// is written to (never replaced by a new file, as an atomic rename would), a new file is
/// created readable by its owner and group (0640), and any write error is thrown with the path.
enum OutputFile {
    /// `mode`: a new file's permissions (0600 for personal data: `members export`).
    static func write(_ text: String, to path: String, mode: mode_t = 0o640) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw failure(path, "cannot open") }
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
