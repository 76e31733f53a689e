import Foundation
@_spi(StoreSQL) import HeraldTestSupport
import Synchronization

/// Every `herald` a test started, so that the test process kills the ones still running when
/// it exits: a test that stops early (a thrown error) must not leave a worker behind it.
private let launched = Mutex<[Launched]>([])
private let killingLeftoversAtExit: Void = {
    atexit {
        // Only those still running: the number of one that ended may belong to another process now.
        for child in launched.withLock({ $0 }) where child.process.isRunning { kill(child.process.processIdentifier, SIGKILL) }
    }
}()

/// A started process as the exit handler keeps it.
private struct Launched: @unchecked Sendable {
    // @unchecked: only read (isRunning, processIdentifier) once the tests are over.
    let process: Process
}

/// The `herald` binary that `swift test` built next to the test bundle.
func heraldBinaryPath() throws -> String {
    let testBinary = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
    let folder = URL(fileURLWithPath: testBinary).deletingLastPathComponent()
    let candidate = folder.appendingPathComponent("herald").path
    guard FileManager.default.isExecutableFile(atPath: candidate) else {
        throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: candidate])
    }
    return candidate
}

/// Starts `herald --config CONFIG ARGUMENTS…` with standard output discarded and standard
/// error appended to `folder/stderrName`.
func launchHerald(config: String, _ arguments: [String], folder: TemporaryDirectory, stderrName: String = "stderr.txt",
                  environment: [String: String] = [:], standardInput: Any? = nil) throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try heraldBinaryPath())
    process.arguments = ["--config", config] + arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    process.standardOutput = FileHandle.nullDevice
    if let standardInput { process.standardInput = standardInput }
    let log = folder.file(stderrName)
    if !FileManager.default.fileExists(atPath: log) { FileManager.default.createFile(atPath: log, contents: nil) }
    let handle = FileHandle(forWritingAtPath: log)
    handle?.seekToEndOfFile()
    process.standardError = handle
    _ = killingLeftoversAtExit
    try process.run()
    launched.withLock { $0.append(Launched(process: process)) }
    return process
}

/// The port `herald serve` (or `run --serve`) logged in `serve.ready` to `folder/stderr.txt`,
/// waited for up to `within`; nil when it did not come.
func servePort(loggedIn folder: TemporaryDirectory, within: Duration = .seconds(30)) async -> UInt16? {
    var port: UInt16?
    _ = await Waiting.until(within: within) {
        let log = (try? String(contentsOfFile: folder.file("stderr.txt"), encoding: .utf8)) ?? ""
        guard let ready = log.split(separator: "\n").first(where: { $0.contains("event=serve.ready") }),
              let field = ready.split(separator: " ").first(where: { $0.hasPrefix("port=") }) else { return false }
        port = UInt16(field.dropFirst(5))
        return true
    }
    return port
}
