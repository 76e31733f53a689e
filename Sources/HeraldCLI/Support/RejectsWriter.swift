#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HeraldCore
import HeraldStore

/// Reports rejected rows on the console (`file:line: rejected: reason`) and, with
/// `--rejects FILE`, writes their raw bytes to that file unchanged — preceded by the CSV
/// header, so the file can be fixed and imported again as it is.
final class RejectsWriter: RejectedRowSink {
    private let console: Console
    private let inputName: String
    private let file: UnsafeMutablePointer<FILE>?
    private let rejectsPath: String
    private var header: [UInt8]?
    private var wroteHeader = false

    /// Creates (truncates) the rejects file at once, so a stale one from an earlier run never lingers.
    init(console: Console, inputName: String, rejectsPath: String?) throws {
        self.console = console
        self.inputName = inputName
        self.rejectsPath = rejectsPath ?? ""
        if let rejectsPath {
            // Rejected rows hold members' raw data: owner-only, like the store.
            let descriptor = open(rejectsPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
            guard descriptor >= 0, let opened = fdopen(descriptor, "wb") else {
                let reason = String(cString: strerror(errno))
                throw InputError(path: rejectsPath, reason: "cannot write the rejects file: \(reason)")
            }
            file = opened
        } else {
            file = nil
        }
    }

    deinit {
        if let file { fclose(file) }
    }

    func header(raw: [UInt8]) throws {
        header = raw
    }

    func reject(_ rejection: RowRejection, raw: [UInt8]) throws {
        console.printError(rejection.diagnostic(file: inputName).description)
        guard let file else { return }
        if !wroteHeader, let header {
            try write(header, to: file)
            wroteHeader = true
        }
        try write(raw, to: file)
        if raw.last != 0x0A { try write([0x0A], to: file) }
    }

    func warn(line: Int, message: String) {
        console.printError(Diagnostic(file: inputName, line: line, message: "warning: \(message)").description)
    }

    func finish() throws {
        if let file, fflush(file) != 0 {
            throw InputError(path: rejectsPath, reason: "cannot flush: \(String(cString: strerror(errno)))")
        }
    }

    private func write(_ bytes: [UInt8], to file: UnsafeMutablePointer<FILE>) throws {
        let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        guard written == bytes.count else {
            throw InputError(path: rejectsPath, reason: "write failed: \(String(cString: strerror(errno)))")
        }
    }
}
