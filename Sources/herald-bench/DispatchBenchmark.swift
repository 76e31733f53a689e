import Foundation
import HeraldCore
@_spi(StoreSQL) import HeraldStore
@_spi(StoreSQL) import HeraldTestSupport
import HeraldWorker

/// Dispatch throughput (issues 4 and 11): the release `herald run --once` delivering N planned
/// sends to a loopback gateway that answers each request after `--latency` ms, and as the baseline in the
/// same run `curl --parallel` posting the same bodies with the same concurrency. Each run
/// starts from the same planned outbox; every row must end `sent` (each status persisted).
/// `--issuer`: each send's coupon is issued first (`offer.issuer`, on the same gateway), and
/// curl posts a coupon request before each message too: two calls a send on both sides.
struct DispatchBenchmark {
    let options: Options
    let herald: String
    static let concurrency = 128
    private var latency: Double { Double(options.latencyMilliseconds) / 1000 }

    func run() throws {
        guard let curl = findOnPath("curl") else { throw BenchError("curl is needed for the baseline") }
        let folder = URL(fileURLWithPath: options.folder).standardizedFileURL.path + "/dispatch"
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: folder + "/Triggers", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: folder + "/MessageTemplates/t", withIntermediateDirectories: true)
        let gateway = try LoopbackGateway { _ in .status(200, body: #"{"message_id":"m"}"#, delay: latency) }
        let config = folder + "/herald.json5"
        try """
            { store: { sqlite: "herald.db" },
              channels: { sms: { adapter: "http", url: "\(gateway.url)", timeout: "10s", concurrency: \(Self.concurrency) } },
              dispatch: { max_attempts: 4, backoff: "10m", lease: "5m" } }
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let coupons = gateway.url.replacingOccurrences(of: "/send", with: "/coupons")
        let offer = options.issuer
            ? #", offer: { code_prefix: "B", title: "满100减10", valid_days: 7, issuer: { url: "\#(coupons)", timeout: "10s" } }"#
            : ""
        try #"{ id: "bench", kind: "inactivity", params: { days: 30 }, channels: ["sms"], template: "t", category: "service"\#(offer) }"#
            .write(toFile: folder + "/Triggers/bench.json5", atomically: true, encoding: .utf8)
        try ("【品牌】{{ member.id }}，您的积分即将到期，点击查看详情。" + (options.issuer ? "券码{{ coupon.code }}" : ""))
            .write(toFile: folder + "/MessageTemplates/t/sms.zh-CN.txt", atomically: true, encoding: .utf8)
        let callsPerSend = options.issuer ? 2 : 1
        let curlUnit = options.issuer ? "sends/s, two posts each" : "posts/s"
        let planned = try Self.plannedOutbox(folder: folder, config: config, herald: herald, sends: options.sends)

        // The baseline's input: the same JSON bodies and keys Herald posts.
        var requests: [String] = []
        let store = try SQLStore(path: planned)
        let bodies = try store.database.prepare("""
            SELECT idempotency_key, address, body, coupon_code, coupon_title, m.id
            FROM outbox o JOIN members m ON m.key = o.member_key ORDER BY o.key
            """)
        while try bodies.step() {
            if options.issuer {
                let key = bodies.text(at: 0)! + "/coupon"
                let body = JSONOutput.object([
                    ("idempotency_key", .string(key)), ("code", .string(bodies.text(at: 3)!)),
                    ("title", .string(bodies.text(at: 4)!)), ("expires_at", "2026-12-14T00:00:00Z"),
                    ("member_id", .string(bodies.text(at: 5)!)), ("trigger", "bench"),
                ]).rendered()
                requests.append("url = \"\(coupons)\"\nheader = \"Content-Type: application/json; charset=utf-8\"\n"
                    + "header = \"Idempotency-Key: \(key)\"\ndata-binary = \(JSONOutput.string(body).rendered())\n"
                    + "output = \"/dev/null\"\n")
            }
            let body = JSONOutput.object([
                ("to", .string(bodies.text(at: 1)!)), ("text", .string(bodies.text(at: 2)!)), ("title", .null),
                ("idempotency_key", .string(bodies.text(at: 0)!)), ("channel", "sms"),
            ]).rendered()
            requests.append("url = \"\(gateway.url)\"\nheader = \"Content-Type: application/json; charset=utf-8\"\n"
                + "header = \"Idempotency-Key: \(bodies.text(at: 0)!)\"\ndata-binary = \(JSONOutput.string(body).rendered())\n"
                + "output = \"/dev/null\"\n")
        }
        try requests.joined(separator: "next\n").write(toFile: folder + "/curl.config", atomically: true, encoding: .utf8)

        var heraldRuns: [ChildProcess.Measurement] = []
        var curlRuns: [ChildProcess.Measurement] = []
        for run in 1...options.runs {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: folder + "/herald.db" + suffix) }
            try FileManager.default.copyItem(atPath: planned, toPath: folder + "/herald.db")
            let before = gateway.requests.count
            let measured = try ChildProcess.run(herald, ["--config", config, "run", "--once"],
                                                stdoutPath: folder + "/run.out", stderrPath: folder + "/run.err")
            guard measured.exitStatus == 0 else { throw BenchError("herald run failed; see \(folder)/run.err") }
            let sent = try SQLStore(path: folder + "/herald.db").database
                .scalarInteger("SELECT count(*) FROM outbox WHERE status = 'sent'") ?? 0
            guard sent == options.sends, gateway.requests.count - before == options.sends * callsPerSend else {
                throw BenchError("run \(run): \(sent) rows sent, gateway saw \(gateway.requests.count - before)")
            }
            heraldRuns.append(measured)
            let baseline = try ChildProcess.run(curl, ["--silent", "--show-error", "--parallel", "--parallel-immediate",
                                                       "--parallel-max", "\(Self.concurrency)", "--config", folder + "/curl.config"],
                                                stdoutPath: folder + "/curl.out", stderrPath: folder + "/curl.err")
            guard baseline.exitStatus == 0 else { throw BenchError("curl failed; see \(folder)/curl.err") }
            curlRuns.append(baseline)
            say("run \(run): herald \(format(measured.seconds)) s (\(Int(Double(options.sends) / measured.seconds)) sends/s, "
                + "CPU \(format(measured.cpuSeconds)) s, peak RSS \(format(measured.peakRSSMebibytes, 1)) MiB); "
                + "curl \(format(baseline.seconds)) s (\(Int(Double(options.sends) / baseline.seconds)) \(curlUnit))")
        }
        let heraldSeconds = median(heraldRuns.map(\.seconds))
        let curlSeconds = median(curlRuns.map(\.seconds))
        say("\nmedians over \(options.runs) run(s), \(options.sends) sends, "
            + "gateway latency \(options.latencyMilliseconds) ms, "
            + "concurrency \(Self.concurrency)" + (options.issuer ? ", each coupon issued before its message" : ""))
        say("herald run --once: \(format(heraldSeconds)) s, \(Int(Double(options.sends) / heraldSeconds)) sends/s, "
            + "CPU \(format(median(heraldRuns.map(\.cpuSeconds)))) s, peak RSS \(format(heraldRuns.map(\.peakRSSMebibytes).max()!, 1)) MiB "
            + "(includes start-up and an evaluation that finds nothing new)")
        say("curl --parallel:   \(format(curlSeconds)) s, \(Int(Double(options.sends) / curlSeconds)) \(curlUnit), "
            + "CPU \(format(median(curlRuns.map(\.cpuSeconds)))) s")
        say("herald ÷ curl throughput: \(format(curlSeconds / heraldSeconds * 100, 1)) %; every row sent and persisted each run")
        let heraldCPU = median(heraldRuns.map(\.cpuSeconds)) / Double(options.sends) * 1_000_000
        let curlCPU = median(curlRuns.map(\.cpuSeconds)) / Double(options.sends) * 1_000_000
        say("CPU per send: herald \(format(heraldCPU, 0)) µs, curl \(format(curlCPU, 0)) µs "
            + "(\(format(heraldCPU / curlCPU, 2))×)")
    }

    /// `sends` members silent since 2020, imported with `config`, planned once into
    /// `folder/planned.db`: every run starts from a copy of it. Returns its path.
    static func plannedOutbox(folder: String, config: String, herald: String, sends: Int) throws -> String {
        var csv = "id,phone,last_active_at\n"
        for index in 0..<sends { csv += "B\(index),139\(String(index).leftPadded(to: 8)),2020-01-01\n" }
        try csv.write(toFile: folder + "/members.csv", atomically: true, encoding: .utf8)
        let imported = try ChildProcess.run(herald, ["--config", config, "import", "members", folder + "/members.csv"],
                                            stdoutPath: folder + "/import.out", stderrPath: folder + "/import.err")
        guard imported.exitStatus == 0 else { throw BenchError("import failed; see \(folder)/import.err") }
        let catalog = try CatalogLoader.load(configPath: config)
        let planned = folder + "/planned.db"
        do {
            let store = try SQLStore(path: folder + "/herald.db")
            var codes = SendCodes.secure()
            let evaluation = try Scheduler(catalog: catalog, store: store).evaluate(at: Date(), codes: &codes)
            try SQLOutboxWriter.write(evaluation, to: store)
            try store.database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            try store.database.execute("VACUUM INTO '\(planned)'")
        }
        let rows = try SQLStore(path: planned).database.scalarInteger("SELECT count(*) FROM outbox") ?? 0
        guard rows == sends else { throw BenchError("planned \(rows) rows, expected \(sends)") }
        return planned
    }
}
