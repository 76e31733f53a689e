import Foundation
import Synchronization

/// A file lines are appended to from concurrent sends without interleaving, created with its
/// folder and readable by its owner only (0600): the `log` channel's and coupon issuer's.
final class AppendOnlyFile: Sendable {
    let path: String
    private let handle: Mutex<FileHandle>

    /// Throws the reason as text when the file cannot be opened for appending.
    init(path: String) throws(AppendOnlyFileError) {
        self.path = path
        let folder = (path as NSString).deletingLastPathComponent
        do {
            if !folder.isEmpty {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            }
        } catch {
            throw AppendOnlyFileError(reason: "cannot create its folder: \(error.localizedDescription)")
        }
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw AppendOnlyFileError(reason: String(cString: strerror(errno))) }
        handle = Mutex(FileHandle(fileDescriptor: descriptor, closeOnDealloc: true))
    }

    func append(_ line: String) throws {
        try handle.withLock { try $0.write(contentsOf: Data(line.utf8)) }
    }
}

struct AppendOnlyFileError: Error {
    let reason: String
}
