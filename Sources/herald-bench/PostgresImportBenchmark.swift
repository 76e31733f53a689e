import Foundation
import HeraldCore
@_spi(StoreSQL) import HeraldStore
@_spi(StoreSQL) import HeraldTestSupport

/// `import --postgres` (issue 16): `herald import members` and `herald ingest` into a
/// PostgreSQL store (COPY into staging tables, set-based statements), against `psql \copy`
/// loading the same rows, already prepared as table rows, into a store of Herald's schema on
/// the same server, in the same run. Both stores must agree on counts and sums.
struct PostgresImportBenchmark {
    let options: Options
    let herald: String
    let folder: String

    func run() throws {
        guard let psql = findOnPath("psql") else { throw BenchError("psql is needed (apt-get install postgresql-client)") }
        say("starting PostgreSQL (durable defaults) …")
        let cluster = try TemporaryPostgres(durability: .disk)
        var results: [String: [ChildProcess.Measurement]] = [:]
        for run in 1...options.runs {
            let heraldURL = try cluster.makeDatabase(), baselineURL = try cluster.makeDatabase()
            // What the last run wrote is flushed before this one starts.
            try PostgresConnection(url: cluster.url).execute("CHECKPOINT")
            let config = folder + "/bench-postgres.json5"
            try "{ store: { postgres: '\(heraldURL)' }, timezone: 'Asia/Shanghai' }"
                .write(toFile: config, atomically: true, encoding: .utf8)
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
            func copy(_ table: String, _ columns: [String], _ file: String) -> String {
                "\\copy \(table) (\(columns.joined(separator: ", "))) FROM '\(folder)/\(file)' WITH (FORMAT csv, HEADER true)"
            }
            try measure("psql-members", psql, [baselineURL, "-v", "ON_ERROR_STOP=1",
                "-c", copy("members", BaselineLoader.memberColumns, "members.table.csv"),
                "-c", copy("member_state", BaselineLoader.stateColumns, "member_state.table.csv"),
                "-c", copy("member_tags", ["member_key", "tag"], "member_tags.table.csv")])
            try measure("psql-events", psql, [baselineURL, "-v", "ON_ERROR_STOP=1",
                "-c", copy("events", BaselineLoader.eventColumns, "events.table.csv")])
            let heraldPrint = try storeFingerprint(.postgres(url: heraldURL)), baselinePrint = try storeFingerprint(.postgres(url: baselineURL))
            guard heraldPrint == baselinePrint else {
                throw BenchError("the two stores differ:\n herald   \(heraldPrint)\n baseline \(baselinePrint)")
            }
        }
        say("\nmedians over \(options.runs) run(s); rows/s = rows ÷ median wall time; ratio = herald ÷ psql \\copy")
        say("phase     rows        herald s  rows/s     psql s     rows/s     ratio  herald peak RSS")
        for (phase, rows) in [("members", options.members), ("events", options.events)] {
            let heraldSeconds = median(results["herald-\(phase)"]!.map(\.seconds))
            let baselineSeconds = median(results["psql-\(phase)"]!.map(\.seconds))
            let peak = results["herald-\(phase)"]!.map(\.peakRSSMebibytes).max()!
            say([phase.padding(toLength: 9, withPad: " ", startingAt: 0),
                 String(rows).padding(toLength: 11, withPad: " ", startingAt: 0),
                 format(heraldSeconds).padding(toLength: 9, withPad: " ", startingAt: 0),
                 String(Int(Double(rows) / heraldSeconds)).padding(toLength: 10, withPad: " ", startingAt: 0),
                 format(baselineSeconds).padding(toLength: 10, withPad: " ", startingAt: 0),
                 String(Int(Double(rows) / baselineSeconds)).padding(toLength: 10, withPad: " ", startingAt: 0),
                 format(heraldSeconds / baselineSeconds).padding(toLength: 6, withPad: " ", startingAt: 0),
                 "\(format(peak, 1)) MiB"].joined(separator: " "))
        }
        say("both stores agree on counts and sums (checked every run)")
    }
}
