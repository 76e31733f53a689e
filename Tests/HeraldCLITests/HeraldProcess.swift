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
