import Foundation
@_spi(StoreSQL) import HeraldStore

/// `herald-bench edge`: tracked-link redirects through `herald serve` against nginx answering a
/// static 302, both driven by `wrk` with the same threads, connections and duration, in the
/// same run (issue 14). `--sends N` links (10,000 by default) are written straight into the
/// store; wrk asks for them at random (a Lua script), so every request is a store lookup and
/// a click queued for the group commit.
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
        let tokens = try makeStore(folder + "/herald.db", links: options.sends)
        try "{ store: { sqlite: 'herald.db' }, timezone: 'Asia/Shanghai', links: { base: 'https://s.example.cn/' } }"
            .write(toFile: folder + "/herald.json5", atomically: true, encoding: .utf8)
        let script = "tokens = {" + tokens.map { "\"\($0)\"" }.joined(separator: ",") + "}\n"
            + "request = function() return wrk.format(\"GET\", \"/\" .. tokens[math.random(#tokens)]) end\n"
        try script.write(toFile: folder + "/links.lua", atomically: true, encoding: .utf8)
        try """
            daemon off; master_process off; worker_processes 1; pid \(folder)/nginx.pid; error_log stderr;
            events { worker_connections 1024; }
            http { access_log off; server { listen 127.0.0.1:\(Self.nginxPort);
                location / { return 302 https://shop.example.cn/a; } } }
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
        serve.terminate()
        serve.waitUntilExit()
        let store = try SQLiteStore(readingAt: folder + "/herald.db")
        let clicks = try store.database.scalarInteger("SELECT count(*) FROM events WHERE type = 'click'") ?? 0
        let mine = median(herald.map(\.requestsPerSecond)), theirs = median(baseline.map(\.requestsPerSecond))
        say("\nmedians over \(options.runs) run(s), wrk -t2 -c32 -d10s, \(tokens.count) links: "
            + "herald serve \(format(mine, 0)) redirects/s, nginx static 302 \(format(theirs, 0)) /s "
            + "(\(format(100 * mine / theirs, 1)) %); p99 herald \(herald.map(\.p99).joined(separator: "/")), "
            + "nginx \(baseline.map(\.p99).joined(separator: "/"))")
        say("clicks stored: \(clicks) click events (one per link and minute) from "
            + "\(herald.reduce(0) { $0 + $1.requests }) redirects; all queued clicks were committed at SIGTERM")
    }

    private struct WrkResult {
        var requestsPerSecond: Double
        var requests: Int
        var p99: String
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
                         p99: value(after: "99%") ?? "?")
    }

    private func start(_ executable: String, _ arguments: [String], log: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        FileManager.default.createFile(atPath: log, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: log)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// `links` members with one sent SMS each, its token and one target.
    private func makeStore(_ path: String, links: Int) throws -> [String] {
        let store = try SQLiteStore(path: path)
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
                """)
        }
        return (1...links).map { String(format: "L%011d", $0) }
    }
}
