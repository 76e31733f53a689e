import Foundation
import HeraldCore
import HeraldEdge
import HeraldStore
import HeraldWorker

/// `herald serve`: the HTTP edge (SPEC 8) — tracked links, SMS replies, receipts and the
/// health check so far.
enum ServeCommand: HeraldCommand {
    static let words = ["serve"]
    static let summary = "answer tracked links, SMS replies and receipts over HTTP, behind a TLS proxy"
    static let valueOptions: Set<String> = ["--listen"]
    static let flagOptions: Set<String> = []
    static let help = """
        Usage: herald serve [--listen ADDRESS]

        Answers, on ADDRESS (host:port, e.g. 127.0.0.1:8080; port 0 picks a free one and the
        chosen one is logged; default: serve.listen in the config), behind a TLS reverse proxy.
        `herald run --serve ADDRESS` (or serve.listen) answers the same inside the worker.
          GET /<token>, /<token>/<n>  302 to the send's first / n-th link, and a click event
                                      (HEAD, link previews and scanners are redirected, not
                                      counted; a click counts once per token and minute);
                                      an unknown link: links.fallback, else 404
          POST /replies/tencent, /replies/aliyun
                                      inbound SMS: a reply T, TD, N, R, 0000 or 退订 puts the
                                      number on the suppression list and opts out of SMS every
                                      member with it, committed before the provider is answered
          POST /receipts/tencent, /receipts/aliyun, /receipts/http
                                      delivery receipts, applied and committed before the
                                      provider is answered
          GET /u/<token>              e-mail unsubscribe: a confirmation page
          POST /u/<token>             unsubscribe (the page's button, or RFC 8058 one-click)
          GET /healthz                200 when the store answers, else 503
          GET /metrics                the edge's counters (Prometheus text)
        Requests are bounded: headers 16 KiB, bodies 1 MiB, 10 s idle, 512 connections.
        SIGTERM or SIGINT stops listening, stores the clicks still queued and exits 0.
        Logs: one key=value line per event on standard error.
        Exit status: 0 stopped by a signal; 2 config, store or listen error.
        """

    static func run(positionals: [String], options: ParsedArguments, context: CommandContext) throws -> ExitCode {
        guard positionals.isEmpty else { throw ParsedArguments.UsageError(description: "serve takes no arguments") }
        let config = try context.loadConfig()
        guard let address = options.options["--listen"] ?? config.serveListen else {
            throw ParsedArguments.UsageError(description:
                "serve needs --listen ADDRESS (such as 127.0.0.1:8080) or serve: { listen } in the config")
        }
        let log = EventLog { line in context.console.printError(String(line.dropLast())) }
        let signals = ServiceSignal.stream()
        let edge = try EdgeLauncher(address: address, config: config, clock: context.clock, log: log)
        try AsyncBridge.blocking {
            for await signal in signals where signal == .terminate { break }
        }
        edge.stop()
        log.info("serve.stopped", [:])
        return .success
    }
}
