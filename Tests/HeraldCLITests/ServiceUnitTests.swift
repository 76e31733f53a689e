import Foundation
import Testing
@_spi(StoreSQL) import HeraldTestSupport

/// `deploy/herald.service` passes `systemd-analyze verify`, with ExecStart pointed at the
/// binary this test run built (verify insists the command exists; installed, it is
/// /usr/local/bin/herald and the file verifies as it is). `.ci/run` installs systemd.
@Suite struct ServiceUnitTests {
    @Test func theUnitVerifies() throws {
        let analyzer = "/usr/bin/systemd-analyze"
        try #require(FileManager.default.isExecutableFile(atPath: analyzer), "systemd-analyze is missing: apt-get install systemd")
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let unit = try String(contentsOf: repository.appendingPathComponent("deploy/herald.service"), encoding: .utf8)
        #expect(unit.contains("Type=notify") && unit.contains("DynamicUser=yes") && unit.contains("LoadCredential=")
                && unit.contains("WatchdogSec=") && unit.contains("ProtectSystem=strict"))
        let folder = try TemporaryDirectory()
        let copy = try folder.write("herald.service",
                                    unit.replacingOccurrences(of: "/usr/local/bin/herald", with: try heraldBinaryPath()))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: analyzer)
        process.arguments = ["verify", copy]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(!text.contains("herald.service"), "\(text)")
    }
}
