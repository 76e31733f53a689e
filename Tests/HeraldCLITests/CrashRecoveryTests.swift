import Foundation
import Testing
import HeraldCore
import HeraldStore
import HeraldTestSupport

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

@Suite struct CrashRecoveryTests {
    /// kill -9 in the middle of an ingest: the store reopens consistent (whole batches only),
    /// and running the same ingest again ends exactly where a clean run ends.
    @Test(.timeLimit(.minutes(3))) func killedIngestResumesToTheSameStore() throws {
        let folder = try TemporaryDirectory()
        let binary = try heraldBinaryPath()
        var members = "id,registered_at\n"
        for index in 0..<500 { members += "U\(index),2024-01-01\n" }
        let membersPath = try folder.write("members.csv", members)
        var events = ""
        for index in 0..<200_000 {
            let member = "U\(index % 500)"
            switch index % 5 {
            case 0: events += #"{"member_id":"\#(member)","type":"points_earn","at":"2026-01-01T00:00:00Z","points":\#(index % 90 + 10),"expires_at":"2027-01-01","n":\#(index)}"# + "\n"
            case 1: events += #"{"member_id":"\#(member)","type":"points_spend","at":"2026-02-01T00:00:00Z","points":7,"n":\#(index)}"# + "\n"
            case 2: events += #"{"member_id":"\#(member)","type":"topup","at":"2026-03-01T00:00:00Z","amount":10,"n":\#(index)}"# + "\n"
            default: events += #"{"id":"e\#(index)","member_id":"\#(member)","type":"login","at":"2026-04-01T00:00:00Z"}"# + "\n"
            }
        }
        let eventsPath = try folder.write("events.ndjson", events)

        var runs = 0
        func run(_ config: String, _ arguments: [String]) throws -> Process {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["--config", config] + arguments
            process.standardOutput = FileHandle.nullDevice
            runs += 1
            _ = FileManager.default.createFile(atPath: folder.file("stderr-\(runs).txt"), contents: nil)
            process.standardError = FileHandle(forWritingAtPath: folder.file("stderr-\(runs).txt"))
            try process.run()
            return process
        }
        let crashConfig = try folder.write("crash.json5", "{ store: { sqlite: 'crash.db' } }")
        let cleanConfig = try folder.write("clean.json5", "{ store: { sqlite: 'clean.db' } }")
        for config in [crashConfig, cleanConfig] {
            let importing = try run(config, ["import", "members", membersPath])
            importing.waitUntilExit()
            #expect(importing.terminationStatus == 0)
        }

        // Kill once some batches are committed but well before the end.
        let victim = try run(crashConfig, ["ingest", eventsPath, "--batch-size", "20000"])
        let observer = try MemberStore(path: folder.file("crash.db"))
        var committed: Int64 = 0
        while victim.isRunning, committed == 0 {
            committed = (try? observer.database.scalarInteger("SELECT count(*) FROM events")) ?? 0
            usleep(2_000)
        }
        kill(victim.processIdentifier, SIGKILL)
        victim.waitUntilExit()
        #expect(victim.terminationReason == .uncaughtSignal, "the ingest finished before it could be killed")

        let reopened = try MemberStore(path: folder.file("crash.db"))
        let check = try reopened.database.prepare("PRAGMA integrity_check")
        #expect(try check.step() && check.text(at: 0) == "ok")
        let partial = try reopened.database.scalarInteger("SELECT count(*) FROM events") ?? 0
        #expect(partial > 0 && partial < 200_000)
        #expect(partial % 20_000 == 0, "only whole batches are committed, found \(partial) events")

        let resumed = try run(crashConfig, ["ingest", eventsPath])
        let clean = try run(cleanConfig, ["ingest", eventsPath])
        resumed.waitUntilExit()
        clean.waitUntilExit()
        let errors = (1...runs).compactMap { try? String(contentsOfFile: folder.file("stderr-\($0).txt"), encoding: .utf8) }
            .filter { !$0.contains("warning") }.joined()
        #expect(resumed.terminationStatus == 0 && clean.terminationStatus == 0, "\(errors)")
        let crashDump = try StoreDump.of(MemberStore(path: folder.file("crash.db")))
        let cleanDump = try StoreDump.of(MemberStore(path: folder.file("clean.db")))
        #expect(crashDump == cleanDump)
        #expect(crashDump.count > 1_000_000)
    }
}
