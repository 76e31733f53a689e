import Foundation
@_spi(StoreSQL) import HeraldTestSupport

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
    try process.run()
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
