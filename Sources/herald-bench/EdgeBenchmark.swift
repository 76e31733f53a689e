import Foundation
@_spi(StoreSQL) import HeraldStore

/// `herald-bench edge`: tracked-link redirects through `herald serve` against nginx answering a
/// static 302, both driven by `wrk` with the same threads, connections and duration, in the
/// same run (issue 14). `--sends N` links (10,000 by default) are written straight into the
/// store; wrk asks for them at random (a Lua script), so every request is a store lookup and
/// a click queued for the group commit.
///
/// Then receipts: wrk POSTs Tencent receipt callbacks, one receipt each, every one for a
/// different sent SMS (so each is a new event and an outbox update, committed durably before
/// its 200), against nginx answering the same POSTs with a static 200 (the HTTP ceiling).
/// Every acknowledged receipt is counted in the store afterwards.
struct EdgeBenchmark {
    let options: Options
    let herald: String

    static let heraldPort = 18_080
    static let nginxPort = 18_081

    func run() throws {
        guard let wrk = findOnPath("wrk") else { throw BenchError("wrk is needed: apt-get install wrk") }
        guard let nginx = ["/usr/sbin/nginx", "/usr/bin/nginx"].first(where: FileManager.default.isExecutableFile)
        else { throw BenchError("nginx is needed for the baseline: apt-get install nginx-light") }
        let folder = URL(fileURLWithPath: options.folder).standardizedFileURL.path + "/edge"
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        // Sends enough for every receipt to name its own: each wrk thread of each run has a range.
        let sends = max(options.sends, options.runs * 2 * Self.receiptsPerThread)
        let tokens = Array(try makeStore(folder + "/herald.db", links: sends).prefix(options.sends))
        try """
            { store: { sqlite: 'herald.db' }, timezone: 'Asia/Shanghai', links: { base: 'https://s.example.cn/' },
              serve: { callback_key: 'bench-key' } }
            """.write(toFile: folder + "/herald.json5", atomically: true, encoding: .utf8)
        let script = "tokens = {" + tokens.map { "\"\($0)\"" }.joined(separator: ",") + "}\n"
            + "request = function() return wrk.format(\"GET\", \"/\" .. tokens[math.random(#tokens)]) end\n"
        try script.write(toFile: folder + "/links.lua", atomically: true, encoding: .utf8)
        try """
            daemon off; master_process off; worker_processes 1; pid \(folder)/nginx.pid; error_log stderr;
            events { worker_connections 1024; }
            http { access_log off; server { listen 127.0.0.1:\(Self.nginxPort);
                location / { return 302 https://shop.example.cn/a; }
                location /receipts/ { return 200 '{"result":0,"errmsg":"OK"}'; } } }
            """.write(toFile: folder + "/nginx.conf", atomically: true, encoding: .utf8)

        let serve = try start(herald, ["--config", folder + "/herald.json5", "serve", "--listen",
                                       "127.0.0.1:\(Self.heraldPort)"], log: folder + "/serve.err")
        let proxy = try start(nginx, ["-c", folder + "/nginx.conf", "-p", folder], log: folder + "/nginx.err")
        defer {
            proxy.terminate()
            if serve.isRunning { serve.terminate() }
        }
        Thread.sleep(forTimeInterval: 1)
        var herald: [WrkResult] = [], baseline: [WrkResult] = []
        for run in 1...options.runs {
            herald.append(try measure(wrk, port: Self.heraldPort, script: folder + "/links.lua", folder: folder))
            baseline.append(try measure(wrk, port: Self.nginxPort, script: nil, folder: folder))
            say("run \(run): herald serve \(format(herald.last!.requestsPerSecond, 0)) redirects/s "
                + "(p99 \(herald.last!.p99)), nginx \(format(baseline.last!.requestsPerSecond, 0)) /s (p99 \(baseline.last!.p99))")
        }
        var receipts: [WrkResult] = [], receiptBaseline: [WrkResult] = []
        for run in 1...options.runs {
            let script = folder + "/receipts-\(run).lua"
            try receiptScript(firstSend: (run - 1) * 2 * Self.receiptsPerThread).write(toFile: script, atomically: true,
                                                                                      encoding: .utf8)
            receipts.append(try measure(wrk, port: Self.heraldPort, script: script, folder: folder))
            receiptBaseline.append(try measure(wrk, port: Self.nginxPort, script: script, folder: folder))
            say("run \(run): herald serve \(format(receipts.last!.requestsPerSecond, 0)) receipts/s committed "
                + "(p99 \(receipts.last!.p99), \(receipts.last!.failures) not 2xx), nginx static 200 "
                + "\(format(receiptBaseline.last!.requestsPerSecond, 0)) /s (p99 \(receiptBaseline.last!.p99))")
        }
        let metrics = findOnPath("curl").flatMap { curl -> String? in
            let output = folder + "/metrics.txt"
            let fetched = try? ChildProcess.run(curl, ["-s", "http://127.0.0.1:\(Self.heraldPort)/metrics"],
                                                stdoutPath: output, stderrPath: folder + "/curl.err")
            return fetched?.exitStatus == 0 ? try? String(contentsOfFile: output, encoding: .utf8) : nil
        } ?? ""
        serve.terminate()
        serve.waitUntilExit()
        let store = try SQLStore(readingAt: folder + "/herald.db")
        let clicks = try store.database.scalarInteger("SELECT count(*) FROM events WHERE type = 'click'") ?? 0
        let delivered = try store.database.scalarInteger("SELECT count(*) FROM outbox WHERE receipt = 'delivered'") ?? 0
        let acknowledged = receipts.reduce(0) { $0 + $1.requests - $1.failures }
        let receiptRate = median(receipts.map(\.requestsPerSecond))
        let receiptCeiling = median(receiptBaseline.map(\.requestsPerSecond))
        func sample(_ name: String) -> Double {
            metrics.split(separator: "\n").first { $0.hasPrefix(name + " ") }
                .flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0
        }
        let groupSize = sample("herald_edge_committed_callbacks_total") / max(1, sample("herald_edge_commits_total"))
        let mine = median(herald.map(\.requestsPerSecond)), theirs = median(baseline.map(\.requestsPerSecond))
        say("\nmedians over \(options.runs) run(s), wrk -t2 -c32 -d10s, \(tokens.count) links: "
            + "herald serve \(format(mine, 0)) redirects/s, nginx static 302 \(format(theirs, 0)) /s "
            + "(\(format(100 * mine / theirs, 1)) %); p99 herald \(herald.map(\.p99).joined(separator: "/")), "
            + "nginx \(baseline.map(\.p99).joined(separator: "/"))")
        say("clicks stored: \(clicks) click events (one per link and minute) from "
            + "\(herald.reduce(0) { $0 + $1.requests }) redirects; all queued clicks were committed at SIGTERM")
        say("receipts: herald serve \(format(receiptRate, 0)) /s committed (median), nginx static 200 "
            + "\(format(receiptCeiling, 0)) /s (\(format(100 * receiptRate / receiptCeiling, 1)) %); "
            + "p99 herald \(receipts.map(\.p99).joined(separator: "/")), nginx \(receiptBaseline.map(\.p99).joined(separator: "/"))")
        say("receipts acknowledged \(acknowledged), sends marked delivered in the store \(delivered) "
            + "(\(delivered >= acknowledged ? "every acknowledged receipt is stored" : "MISSING RECEIPTS")); "
            + "\(format(groupSize, 1)) callbacks per commit on average")
    }

    /// Receipts each wrk thread of a run sends at most (then it repeats its own, already stored).
    static let receiptsPerThread = 100_000

    /// A wrk script POSTing one Tencent receipt per request, for sends `p<firstSend + 1>` on:
    /// each thread walks a range of its own, so no receipt is sent twice.
    private func receiptScript(firstSend: Int) -> String {
        """
        local threads = 0
        function setup(thread)
          thread:set("base", \(firstSend) + threads * \(Self.receiptsPerThread))
          threads = threads + 1
        end
        function init(args) counter = 0 end
        request = function()
          local send = base + (counter % \(Self.receiptsPerThread)) + 1
          counter = counter + 1
          local body = '[{"sid":"p' .. send .. '","report_status":"SUCCESS","user_receive_time":"2026-05-28 10:00:00",'
            .. '"mobile":"13800000000","nationcode":"86","errmsg":"DELIVRD","description":"ok"}]'
          return wrk.format("POST", "/receipts/tencent?key=bench-key", {["Content-Type"] = "application/json"}, body)
        end
        """
    }

    private struct WrkResult {
        var requestsPerSecond: Double
        var requests: Int
        var p99: String
        /// Answers that were not 2xx or 3xx.
        var failures: Int
    }

    private func measure(_ wrk: String, port: Int, script: String?, folder: String) throws -> WrkResult {
        var arguments = ["-t2", "-c32", "-d10s", "--latency"]
        if let script { arguments += ["-s", script] }
        arguments.append("http://127.0.0.1:\(port)/")
        let output = folder + "/wrk-\(port).out"
        let measured = try ChildProcess.run(wrk, arguments, stdoutPath: output, stderrPath: folder + "/wrk.err")
        guard measured.exitStatus == 0 else { throw BenchError("wrk failed; see \(output)") }
        let text = try String(contentsOfFile: output, encoding: .utf8)
        func value(after label: String) -> String? {
            text.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix(label) }
                .map { $0.split(separator: " ", omittingEmptySubsequences: true).last.map(String.init) ?? "" }
        }
        let total = text.split(separator: "\n").first { $0.contains("requests in") }
            .flatMap { Int($0.trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "") } ?? 0
        return WrkResult(requestsPerSecond: Double(value(after: "Requests/sec:") ?? "") ?? 0, requests: total,
                         p99: value(after: "99%") ?? "?", failures: Int(value(after: "Non-2xx or 3xx responses:") ?? "") ?? 0)
    }

    private func start(_ executable: String, _ arguments: [String], log: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: log)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// `links` members with one sent SMS each, its token, one target and provider id `p<n>`.
    private func makeStore(_ path: String, links: Int) throws -> [String] {
        let store = try SQLStore(path: path)
        let database = store.database
        try database.withTransaction {
            try database.execute("""
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < \(links))
                INSERT INTO members (key, id) SELECT i, 'M' || i FROM n;
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < \(links))
                INSERT INTO outbox (key, trigger_id, member_key, occurrence_key, idempotency_key, category, channel,
                    address, template, body, link_token, scheduled_at, next_attempt_at, status, created_at, updated_at,
                    local_day, attribution_until, link_targets)
                SELECT i, 'promo', i, 'o' || i, 'hk-' || i, 'marketing', 'sms', '+8613800000000', 't', 'text',
                    printf('L%011d', i), 1780000000, 1780000000, 'sent', 1780000000, 1780000000, '2026-05-28',
                    1780604800, 'https://shop.example.cn/a' FROM n;
                UPDATE outbox SET provider = 'tencent', provider_id = 'p' || key;
                """)
        }
        return (1...links).map { String(format: "L%011d", $0) }
    }
}
