import Foundation
import HeraldCore
import HeraldCrypto
import HeraldDelivery
@_spi(StoreSQL) import HeraldStore
@_spi(StoreSQL) import HeraldTestSupport
import HeraldWorker

/// Signed provider delivery (issue 12): the release `herald run --once` delivering N planned
/// sends through the `tencent_sms` adapter (TC3-HMAC-SHA256 signing, Tencent's answer parsed
/// and classified) to a loopback fake Tencent Cloud that checks every signature and answers
/// after `--latency` ms; in the same run, the same outbox through the plain `http` adapter
/// to a plain loopback gateway with the same latency (the CPU baseline), and `curl --parallel`
/// posting the same signed bodies to the fake (the throughput baseline). Every row must end
/// `sent` each run, and the fake must have found every signature valid.
struct ProviderDispatchBenchmark {
    let options: Options
    let herald: String
    static let concurrency = 128
    static let secretID = "AKIDbenchmark00000000000000000000000"
    static let secretKey = "benchmark-secret-key-0000000000"
    private var latency: Double { Double(options.latencyMilliseconds) / 1000 }

    func run() throws {
        guard let curl = findOnPath("curl") else { throw BenchError("curl is needed for the baseline") }
        let folder = URL(fileURLWithPath: options.folder).standardizedFileURL.path + "/dispatch-provider"
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: folder + "/Triggers", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: folder + "/MessageTemplates/t", withIntermediateDirectories: true)
        let delay = latency
        let fake = try FakeSMSProvider(.tencent(secretID: Self.secretID, secretKey: Self.secretKey)) { _ in
            .delayed(delay, .accept)
        }
        let gateway = try LoopbackGateway { _ in .status(200, body: #"{"message_id":"m"}"#, delay: delay) }
        let providers = """
            providers: { tencent: { adapter: "tencent_sms", secret_id: "\(Self.secretID)", secret_key: "\(Self.secretKey)",
                                    sdk_app_id: "1400006666", sign_name: "悦享会员", endpoint: "\(fake.endpoint)",
                                    timeout: "10s", param_max_length: 24 } },
            dispatch: { max_attempts: 4, backoff: "10m", lease: "5m" },
            """
        let tencentConfig = folder + "/tencent.json5"
        try """
            { store: { sqlite: "herald.db" }, \(providers)
              channels: { sms: { providers: ["tencent"], concurrency: \(Self.concurrency) } } }
            """.write(toFile: tencentConfig, atomically: true, encoding: .utf8)
        let httpConfig = folder + "/http.json5"
        try """
            { store: { sqlite: "herald.db" }, \(providers)
              channels: { sms: { adapter: "http", url: "\(gateway.url)", timeout: "10s", concurrency: \(Self.concurrency) } } }
            """.write(toFile: httpConfig, atomically: true, encoding: .utf8)
        try #"{ id: "bench", kind: "inactivity", params: { days: 30 }, channels: ["sms"], template: "t", category: "service" }"#
            .write(toFile: folder + "/Triggers/bench.json5", atomically: true, encoding: .utf8)
        try "【悦享会员】{{ member.id }}，您的积分即将到期，点击查看详情。"
            .write(toFile: folder + "/MessageTemplates/t/sms.zh-CN.txt", atomically: true, encoding: .utf8)
        try #"{ tencent: { template_id: "2001006", params: ["{{ member.id }}"] } }"#
            .write(toFile: folder + "/MessageTemplates/t/sms.providers.json5", atomically: true, encoding: .utf8)
        // Planned once with the tencent config (the mapping rendered into every row).
        let planned = try DispatchBenchmark.plannedOutbox(folder: folder, config: tencentConfig, herald: herald,
                                                          sends: options.sends)
        try writeSignedRequests(planned: planned, fake: fake, to: folder + "/curl.config")

        var tencentRuns: [ChildProcess.Measurement] = []
        var httpRuns: [ChildProcess.Measurement] = []
        var curlRuns: [ChildProcess.Measurement] = []
        for run in 1...options.runs {
            func deliver(_ config: String, seen: () -> Int) throws -> ChildProcess.Measurement {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: folder + "/herald.db" + suffix) }
                try FileManager.default.copyItem(atPath: planned, toPath: folder + "/herald.db")
                let before = seen()
                let measured = try ChildProcess.run(herald, ["--config", config, "run", "--once"],
                                                    stdoutPath: folder + "/run.out", stderrPath: folder + "/run.err")
                guard measured.exitStatus == 0 else { throw BenchError("herald run failed; see \(folder)/run.err") }
                let sent = try SQLStore(path: folder + "/herald.db").database
                    .scalarInteger("SELECT count(*) FROM outbox WHERE status = 'sent'") ?? 0
                guard sent == options.sends, seen() - before == options.sends else {
                    throw BenchError("run \(run) (\(config)): \(sent) rows sent, the gateway saw \(seen() - before)")
                }
                return measured
            }
            // Alternating which goes first, so neither always runs on a machine warmed (or
            // loaded) by the other.
            var signed: ChildProcess.Measurement?
            var plain: ChildProcess.Measurement?
            for first in run % 2 == 1 ? [true, false] : [false, true] {
                if first {
                    signed = try deliver(tencentConfig) { fake.calls.count }
                    guard fake.calls.allSatisfy(\.signatureValid) else { throw BenchError("the fake refused a signature") }
                } else {
                    plain = try deliver(httpConfig) { gateway.requests.count }
                }
            }
            guard let signed, let plain else { throw BenchError("run \(run) measured nothing") }
            tencentRuns.append(signed)
            httpRuns.append(plain)
            let before = fake.calls.count
            let baseline = try ChildProcess.run(curl, ["--silent", "--show-error", "--parallel", "--parallel-immediate",
                                                       "--parallel-max", "\(Self.concurrency)", "--config", folder + "/curl.config"],
                                                stdoutPath: folder + "/curl.out", stderrPath: folder + "/curl.err")
            guard baseline.exitStatus == 0, fake.calls.count - before == options.sends,
                  fake.calls.suffix(options.sends).allSatisfy(\.signatureValid) else {
                throw BenchError("curl failed or was refused; see \(folder)/curl.err")
            }
            curlRuns.append(baseline)
            say("run \(run): tencent_sms \(format(signed.seconds)) s (CPU \(format(signed.cpuSeconds)) s), "
                + "http \(format(plain.seconds)) s (CPU \(format(plain.cpuSeconds)) s), "
                + "curl signed \(format(baseline.seconds)) s")
        }
        let sends = Double(options.sends)
        let signedSeconds = median(tencentRuns.map(\.seconds))
        let curlSeconds = median(curlRuns.map(\.seconds))
        let signedCPU = median(tencentRuns.map(\.cpuSeconds)) / sends * 1_000_000
        let plainCPU = median(httpRuns.map(\.cpuSeconds)) / sends * 1_000_000
        say("\nmedians over \(options.runs) run(s), \(options.sends) sends, gateway latency \(options.latencyMilliseconds) ms, "
            + "concurrency \(Self.concurrency)")
        say("tencent_sms: \(format(signedSeconds)) s, \(Int(sends / signedSeconds)) sends/s, CPU \(format(signedCPU, 0)) µs/send, "
            + "peak RSS \(format(tencentRuns.map(\.peakRSSMebibytes).max()!, 1)) MiB")
        say("http:        \(format(median(httpRuns.map(\.seconds)))) s, CPU \(format(plainCPU, 0)) µs/send")
        say("curl signed: \(format(curlSeconds)) s, \(Int(sends / curlSeconds)) posts/s")
        say("tencent_sms ÷ curl throughput: \(format(curlSeconds / signedSeconds * 100, 1)) %; "
            + "CPU per send over the http adapter: +\(format((signedCPU / plainCPU - 1) * 100, 1)) %; "
            + "every row sent and every signature valid each run")
        // The adapters alone, in this process, without the network or the fake.
        let alone = try AsyncBridge.blocking { try await AdapterCostBenchmark.measure(sends: 50_000, runs: 5) }
        say("adapters alone (canned answers, median of 5 × 50000 sends): http \(format(alone.http)) µs, "
            + "tencent_sms \(format(alone.tencent)) µs per send: signing and classification add "
            + "\(format(alone.tencent - alone.http)) µs = \(format((alone.tencent - alone.http) / plainCPU * 100, 1)) % "
            + "of herald's CPU per send through the http adapter")
    }

    /// The baseline's input: for every planned row, the same signed SendSms request Herald makes
    /// (same body, same headers, signed at one timestamp), as a curl config.
    private func writeSignedRequests(planned: String, fake: FakeSMSProvider, to path: String) throws {
        let signer = TencentSignature(secretID: Self.secretID, secretKey: Self.secretKey, service: "sms")
        let host = "127.0.0.1:\(fake.gateway.port)"
        let timestamp = Date().epochSeconds
        var requests: [String] = []
        let store = try SQLStore(path: planned)
        let rows = try store.database.prepare("SELECT idempotency_key, address, provider_content FROM outbox ORDER BY key")
        while try rows.step() {
            let content = try JSONParser.parse(rows.text(at: 2) ?? "{}", dialect: .json)["tencent"]
            let params: [JSONOutput] = (content?["params"].flatMap { value -> [JSONValue]? in
                if case .array(let items) = value.kind { items } else { nil }
            } ?? []).map { .string($0.stringValue ?? "") }
            let body = JSONOutput.object([
                ("PhoneNumberSet", .array([.string(rows.text(at: 1)!)])), ("SmsSdkAppId", "1400006666"),
                ("SignName", "悦享会员"), ("TemplateId", .string(content?["template_id"]?.stringValue ?? "")),
                ("TemplateParamSet", .array(params)), ("SessionContext", .string(rows.text(at: 0)!)),
            ]).rendered()
            let signed = signer.sign(method: "POST", contentType: "application/json; charset=utf-8", host: host,
                                     payload: Array(body.utf8), timestamp: timestamp)
            let headers = ["Content-Type: application/json; charset=utf-8", "Host: \(host)",
                           "Authorization: \(signed.authorization)", "X-TC-Action: SendSms", "X-TC-Version: 2021-01-11",
                           "X-TC-Timestamp: \(timestamp)", "X-TC-Region: ap-guangzhou"]
            requests.append("url = \"\(fake.endpoint)\"\n" + headers.map { "header = \"\($0)\"\n" }.joined()
                + "data-binary = \(JSONOutput.string(body).rendered())\noutput = \"/dev/null\"\n")
        }
        try requests.joined(separator: "next\n").write(toFile: path, atomically: true, encoding: .utf8)
    }
}
