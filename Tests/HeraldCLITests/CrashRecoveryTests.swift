import Foundation
import Testing
import HeraldCore
@_spi(StoreSQL) import HeraldStore
@_spi(StoreSQL) import HeraldTestSupport

@Suite struct CrashRecoveryTests {
    /// kill -9 in the middle of an ingest: the store reopens consistent (every stored event
    /// with its effects: transactions are whole), and running the same ingest again ends
    /// exactly where a clean run ends.
    @Test(.timeLimit(.minutes(3)), arguments: StoreBackend.allCases)
    func killedIngestResumesToTheSameStore(_ backend: StoreBackend) async throws {
        let folder = try TemporaryDirectory()
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
            runs += 1
            return try launchHerald(config: config, arguments, folder: folder, stderrName: "stderr-\(runs).txt")
        }
        let crashStore = try backend.makeLocation(in: folder, name: "crash.db")
        let cleanStore = try backend.makeLocation(in: folder, name: "clean.db")
        let crashConfig = try folder.write("crash.json5", "{ \(StoreBackend.configEntry(crashStore)) }")
        let cleanConfig = try folder.write("clean.json5", "{ \(StoreBackend.configEntry(cleanStore)) }")
        for config in [crashConfig, cleanConfig] {
            let importing = try run(config, ["import", "members", membersPath])
            #expect(await Waiting.exit(of: importing, within: .seconds(60)), "import members did not finish in 60 s")
            #expect(importing.terminationStatus == 0)
        }

        // Kill once some transactions are committed but well before the end.
        let victim = try run(crashConfig, ["ingest", eventsPath, "--batch-size", "20000"])
        let observer = try StoreBackend.open(crashStore, readOnly: true)
        let committed = await Waiting.until(within: .seconds(60)) {
            victim.isRunning && ((try? observer.database.scalarInteger("SELECT count(*) FROM events")) ?? 0) > 0
        }
        kill(victim.processIdentifier, SIGKILL)
        _ = await Waiting.exit(of: victim, within: .seconds(10))
        #expect(committed && victim.terminationReason == .uncaughtSignal, "the ingest finished before it could be killed")

        let reopened = try StoreBackend.open(crashStore)
        if backend == .sqlite {
            let check = try reopened.database.prepare("PRAGMA integrity_check")
            #expect(try check.step() && check.text(at: 0) == "ok")
        }
        let partial = try reopened.database.scalarInteger("SELECT count(*) FROM events") ?? 0
        #expect(partial > 0 && partial < 200_000)
        // Transactions are whole: every stored points_earn has its lot, every topup its balance.
        let lots = try reopened.database.scalarInteger("SELECT count(*) FROM points_lots") ?? -1
        let earns = try reopened.database.scalarInteger("SELECT count(*) FROM events WHERE type = 'points_earn'") ?? -2
        #expect(lots == earns, "\(earns) points_earn events stored but \(lots) lots")
        let topups = try reopened.database.scalarInteger("SELECT count(*) FROM events WHERE type = 'topup'") ?? 0
        let balance = try reopened.database.scalarInteger("SELECT coalesce(sum(stored_value), 0) FROM member_state") ?? -1
        #expect(balance == topups * 1000, "\(topups) top-ups of ¥10 stored but a balance of \(balance) fen")

        let resumed = try run(crashConfig, ["ingest", eventsPath])
        let clean = try run(cleanConfig, ["ingest", eventsPath])
        #expect(await Waiting.exit(of: resumed, within: .seconds(120)), "the resumed ingest did not finish in 120 s")
        #expect(await Waiting.exit(of: clean, within: .seconds(120)), "the clean ingest did not finish in 120 s")
        let errors = (1...runs).compactMap { try? String(contentsOfFile: folder.file("stderr-\($0).txt"), encoding: .utf8) }
            .filter { !$0.contains("warning") }.joined()
        #expect(resumed.terminationStatus == 0 && clean.terminationStatus == 0, "\(errors)")
        let crashDump = try StoreDump.portable(StoreBackend.open(crashStore))
        let cleanDump = try StoreDump.portable(StoreBackend.open(cleanStore))
        #expect(crashDump == cleanDump)
        #expect(crashDump.count > 1_000_000)
    }
}
