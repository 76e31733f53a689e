import Foundation
import HeraldCore
import HeraldStore

/// Issue 17: what encryption at rest costs. Each run loads the generated members and events
/// into a plain store and into one with `store.key` (the order alternating run by run), then
/// evaluates every trigger of `Triggers/` into each one's outbox (the first tick: candidates
/// read and opened, every planned send sealed and written). Figures are medians; the ratio is
/// sealed ÷ plain, measured in the same run on the same data.
struct EncryptionBenchmark {
    let options: Options
    let folder: String
    let herald: String
    let sqlite3: String

    /// A fixed benchmark key (not a secret: the stores are thrown away).
    static let key = "YmVuY2htYXJrLWtleS1ub3QtYS1zZWNyZXQtMDAwMDA="

    func run() throws {
        let evaluation = EvaluationBenchmark(options: options, folder: folder, herald: herald, sqlite3: sqlite3)
        var seconds: [String: [Double]] = [:]
        var planned: [String: Int] = [:]
        for run in 1...options.runs {
            let variants = run % 2 == 1 ? [("plain", nil), ("sealed", Self.key)] : [("sealed", Self.key), ("plain", nil)]
            for (name, key) in variants {
                let store = "\(folder)/enc-\(name).db"
                for suffix in ["", "-wal", "-shm", "-evaluator.lock"] { try? FileManager.default.removeItem(atPath: store + suffix) }
                let config = try evaluation.writeConfig(store: .sqlite(path: store), name: "enc-\(name).json5", key: key)
                for (phase, arguments) in [("members", ["import", "members", folder + "/members.csv"]),
                                           ("events", ["ingest", folder + "/events.ndjson"])] {
                    let output = "\(folder)/enc-\(name)-\(phase)"
                    let measured = try ChildProcess.run(herald, ["--config", config] + arguments, stdoutPath: output + ".out",
                                                        stderrPath: output + ".err")
                    guard measured.exitStatus == 0 else { throw BenchError("\(name) \(phase) failed; see \(output).err") }
                    seconds["\(name) \(phase)", default: []].append(measured.seconds)
                }
                let tick = try evaluation.child("run", config: config)
                seconds["\(name) evaluation", default: []].append(tick.total)
                seconds["\(name) second tick", default: []].append(tick.secondTick ?? 0)
                planned[name] = tick.planned
                say("run \(run) \(name): members \(format(seconds["\(name) members"]!.last!)) s, events "
                    + "\(format(seconds["\(name) events"]!.last!)) s, first tick \(format(tick.total)) s "
                    + "(\(tick.planned) planned), second tick \(format(tick.secondTick ?? 0)) s")
            }
        }
        guard planned["plain"] == planned["sealed"] else {
            throw BenchError("the two stores planned differently: \(planned)")
        }
        say("\nmedians over \(options.runs) run(s), \(options.members) members, \(options.events) events, "
            + "\(planned["plain"] ?? 0) planned; ratio = sealed ÷ plain")
        say("phase          plain s   sealed s  ratio")
        for phase in ["members", "events", "evaluation", "second tick"] {
            let plain = median(seconds["plain \(phase)"]!), sealed = median(seconds["sealed \(phase)"]!)
            say(phase.padding(toLength: 14, withPad: " ", startingAt: 0) + format(plain).leftPadded(to: 8, with: " ")
                + format(sealed).leftPadded(to: 11, with: " ") + format(sealed / plain).leftPadded(to: 7, with: " "))
        }
    }
}
