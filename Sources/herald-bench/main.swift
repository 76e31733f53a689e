import Foundation
import HeraldCore
@_spi(StoreSQL) import HeraldStore

/// herald-bench: throughput and memory of the release `herald` against the `sqlite3`
/// shell doing the same work on the same store, in the same run.
///
///     swift build -c release && .build/release/herald-bench [import|evaluate|dispatch|report]
///         [--members N] [--events N] [--runs K] [--dir DIR] [--sends N] [--latency MS] [--provider tencent]
///         [--bulk] [--no-preview]
///
/// `import` (the default): loading members and events. `evaluate`: every trigger in
/// Triggers/ evaluated over the loaded store (issues 3 and 13: preview, run, and a second tick),
/// against the same candidate queries; `--bulk` loads the store with `sqlite3 .import`
/// (10M members), `--no-preview` measures `run` alone.
/// `dispatch`: `herald run --once` delivering N sends to a loopback gateway answering in
/// `--latency` ms (50 by default; 0 measures pure overhead), against `curl --parallel`
/// posting the same bodies (issues 4 and 11); with `--provider tencent`, through the signing
/// `tencent_sms` adapter to a fake Tencent Cloud that checks every signature, against the plain
/// http adapter and `curl` posting the same signed bodies (issue 12). `report`: `herald report`
/// over N sends and the given events, against the `sqlite3` shell running its statements (issue 5).
/// `edge`: `herald serve` redirecting `--sends` tracked links under `wrk`, against nginx
/// answering a static 302 (issue 14; needs wrk and nginx-light).
/// `encryption`: import, ingest and a first tick into a plain store and one with `store.key`,
/// alternating, as a ratio (issue 17).
/// `workers`: 1, 2 and 4 `herald run` processes on one PostgreSQL database delivering `--sends`
/// rows to a gateway answering at once, against `pgbench` running the same claim and outcome
/// statements with as many clients (issue 16).
struct Options {
    var mode = "import"
    var members = 1_000_000
    var events = 10_000_000
    var runs = 3
    var folder = "bench-data"
    /// `dispatch`: rows to deliver per run.
    var sends = 20_000
    /// `dispatch`: how long the loopback gateway takes to answer, in milliseconds.
    var latencyMilliseconds = 50
    /// `dispatch`: each send's coupon issued first through an `offer.issuer` on the same gateway.
    var issuer = false
    /// `dispatch`: deliver through this provider's adapter (`tencent`) instead of plain http.
    var provider: String?
    /// `evaluate`: load the store with the `sqlite3` shell's bulk `.import` instead of herald
    /// import + ingest (10M members), and leave out the preview (which holds every decision).
    var bulkLoad = false
    var skipPreview = false
    /// `import`: into PostgreSQL, against `psql \copy` (issue 16).
    var postgres = false
    /// `evaluate`: another trigger folder than the repository's `Triggers/` (absolute, or
    /// relative to the repository), and JSON5 members spliced into the bench config (the examples' `segments`).
    var triggers = "Triggers"
    var configExtra = ""
    /// `evaluate-child CONFIG INSTANT`.
    var childArguments: [String] = []

    init(_ arguments: [String]) throws {
        var index = 0
        func value() throws -> String {
            index += 1
            guard index < arguments.count else { throw BenchError("\(arguments[index - 1]) needs a value") }
            return arguments[index]
        }
        if let first = arguments.first,
           ["import", "evaluate", "evaluate-child", "dispatch", "report", "edge", "workers", "encryption", "cipher"].contains(first) {
            mode = first
            index = 1
        }
        while index < arguments.count {
            switch arguments[index] {
            case "--members": members = Int(try value()) ?? members
            case "--events": events = Int(try value()) ?? events
            case "--runs": runs = max(1, Int(try value()) ?? runs)
            case "--sends": sends = max(1, Int(try value()) ?? sends)
            case "--latency": latencyMilliseconds = max(0, Int(try value()) ?? latencyMilliseconds)
            case "--dir": folder = try value()
            case "--provider": provider = try value()
            case "--bulk": bulkLoad = true
            case "--no-preview": skipPreview = true
            case "--postgres": postgres = true
            case "--issuer": issuer = true
            case "--triggers": triggers = try value()
            case "--config-extra": configExtra = try value()
            default:
                guard mode == "evaluate-child" else {
                    throw BenchError("unknown option \(arguments[index]); usage: herald-bench "
                                     + "[import|evaluate|dispatch|report] [--members N] [--events N] [--runs K] "
                                     + "[--dir DIR] [--sends N] [--latency MS] [--provider tencent] [--bulk] [--no-preview] [--triggers DIR] [--config-extra JSON5]")
                }
                childArguments.append(arguments[index])
            }
            index += 1
        }
    }
}

/// Writes a line at once (unbuffered), so progress shows even when the output goes to a file.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// The median; 0 for no values (a phase left out).
func median(_ values: [Double]) -> Double {
    guard !values.isEmpty else { return 0 }
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

func format(_ value: Double, _ decimals: Int = 2) -> String { String(format: "%.\(decimals)f", value) }

func findOnPath(_ name: String) -> String? {
    (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        .map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
}

/// A fingerprint of what both loads must agree on.
func storeFingerprint(_ path: String) throws -> String { try storeFingerprint(.sqlite(path: path)) }

func storeFingerprint(_ location: StoreLocation) throws -> String {
    guard let store = try StoreFactory.open(location, access: .readOnly) as? SQLStore else { throw BenchError("not SQL") }
    let members = try store.database.prepare("""
        SELECT count(*), sum(registered_at), sum(birth_month * 100 + birth_day), count(phone),
               (SELECT count(*) FROM member_tags), (SELECT count(*) FROM events), (SELECT sum(at) FROM events),
               (SELECT sum(amount) FROM events), (SELECT count(DISTINCT id) FROM events)
        FROM members
        """)
    _ = try members.step()
    return (0..<members.columnCount).map { members.text(at: $0) ?? "NULL" }.joined(separator: "/")
}

func main() throws {
    let options = try Options(Array(CommandLine.arguments.dropFirst()))
    if options.mode == "cipher" { return try CipherBenchmark.run() }
    if options.mode == "evaluate-child" {
        return try EvaluationBenchmark.child(options.childArguments)
    }
    let binaryFolder = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        .deletingLastPathComponent()
    let herald = binaryFolder.appendingPathComponent("herald").path
    guard FileManager.default.isExecutableFile(atPath: herald) else {
        throw BenchError("\(herald) not found: run `swift build -c release` first")
    }
    guard let sqlite3 = findOnPath("sqlite3") else { throw BenchError("the sqlite3 shell is needed for the baseline: apt-get install sqlite3") }
    if binaryFolder.path.contains("/debug") { say("warning: this is a debug build; figures need `swift build -c release`") }
    if options.mode == "dispatch" {
        if let provider = options.provider {
            guard provider == "tencent" else { throw BenchError("--provider: only tencent is benchmarked") }
            return try ProviderDispatchBenchmark(options: options, herald: herald).run()
        }
        return try DispatchBenchmark(options: options, herald: herald).run()
    }
    if options.mode == "report" {
        return try ReportBenchmark(options: options, herald: herald, sqlite3: sqlite3).run()
    }
    if options.mode == "edge" {
        return try EdgeBenchmark(options: options, herald: herald).run()
    }
    if options.mode == "workers" {
        return try WorkersBenchmark(options: options, herald: herald).run()
    }

    let folder = URL(fileURLWithPath: options.folder).standardizedFileURL.path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let stamp = "\(options.members)-\(options.events)-v5"
    let stampPath = folder + "/generated"
    if (try? String(contentsOfFile: stampPath, encoding: .utf8)) != stamp {
        say("generating \(options.members) members and \(options.events) events in \(folder) …")
        let started = ContinuousClock.now
        try DataGenerator(members: options.members, events: options.events, folder: folder).write()
        try stamp.write(toFile: stampPath, atomically: true, encoding: .utf8)
        say("generated in \(ContinuousClock.now - started)")
    }
    if options.mode == "encryption" {
        return try EncryptionBenchmark(options: options, folder: folder, herald: herald, sqlite3: sqlite3).run()
    }
    if options.mode == "evaluate" {
        return try EvaluationBenchmark(options: options, folder: folder, herald: herald, sqlite3: sqlite3).run()
    }
    if options.postgres {
        return try PostgresImportBenchmark(options: options, herald: herald, folder: folder).run()
    }

    var results: [String: [ChildProcess.Measurement]] = [:]
    for run in 1...options.runs {
        let heraldPath = folder + "/herald.db", baselinePath = folder + "/baseline.db"
        for base in [heraldPath, baselinePath] {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: base + suffix) }
        }
        let config = folder + "/bench.json5"
        try "{ store: { sqlite: 'herald.db' }, timezone: 'Asia/Shanghai' }".write(toFile: config, atomically: true, encoding: .utf8)
        func measure(_ phase: String, _ executable: String, _ arguments: [String]) throws {
            let measurement = try ChildProcess.run(executable, arguments, stdoutPath: "\(folder)/\(phase).out",
                                                   stderrPath: "\(folder)/\(phase).err")
            guard measurement.exitStatus == 0 else {
                throw BenchError("\(phase) exited with \(measurement.exitStatus); see \(folder)/\(phase).err")
            }
            results[phase, default: []].append(measurement)
            say("run \(run) \(phase): \(format(measurement.seconds)) s, peak RSS \(format(measurement.peakRSSMebibytes, 1)) MiB")
        }
        try measure("herald-members", herald, ["--config", config, "import", "members", folder + "/members.csv"])
        try measure("herald-events", herald, ["--config", config, "ingest", folder + "/events.ndjson"])
        try BaselineLoader.createStore(at: baselinePath)
        try measure("sqlite3-members", sqlite3, [baselinePath] + BaselineLoader.memberCommands(folder: folder))
        try measure("sqlite3-events", sqlite3, [baselinePath] + BaselineLoader.eventCommands(folder: folder))
        try? FileManager.default.removeItem(atPath: "\(folder)/baseline-drop.out")
        _ = try ChildProcess.run(sqlite3, [baselinePath] + BaselineLoader.dropStaging, stdoutPath: "/dev/null",
                                 stderrPath: "/dev/null")
        let heraldPrint = try storeFingerprint(heraldPath), baselinePrint = try storeFingerprint(baselinePath)
        guard heraldPrint == baselinePrint else {
            throw BenchError("the two stores differ:\n herald   \(heraldPrint)\n baseline \(baselinePrint)")
        }
    }

    say("\nmedians over \(options.runs) run(s); rows/s = rows ÷ median wall time; ratio = herald ÷ sqlite3")
    say("phase     rows        herald s  rows/s     sqlite3 s  rows/s     ratio  herald peak RSS")
    for (phase, rows) in [("members", options.members), ("events", options.events)] {
        let heraldSeconds = median(results["herald-\(phase)"]!.map(\.seconds))
        let baselineSeconds = median(results["sqlite3-\(phase)"]!.map(\.seconds))
        let peak = results["herald-\(phase)"]!.map(\.peakRSSMebibytes).max()!
        let cells = [
            phase.padding(toLength: 9, withPad: " ", startingAt: 0), String(rows).padding(toLength: 11, withPad: " ", startingAt: 0),
            format(heraldSeconds).padding(toLength: 9, withPad: " ", startingAt: 0),
            String(Int(Double(rows) / heraldSeconds)).padding(toLength: 10, withPad: " ", startingAt: 0),
            format(baselineSeconds).padding(toLength: 10, withPad: " ", startingAt: 0),
            String(Int(Double(rows) / baselineSeconds)).padding(toLength: 10, withPad: " ", startingAt: 0),
            format(heraldSeconds / baselineSeconds).padding(toLength: 6, withPad: " ", startingAt: 0),
            "\(format(peak, 1)) MiB",
        ]
        say(cells.joined(separator: " "))
    }
    say("both stores agree on counts and sums (checked every run)")
}

do {
    try main()
} catch {
    FileHandle.standardError.write(Data("herald-bench: \(error)\n".utf8))
    exit(2)
}
