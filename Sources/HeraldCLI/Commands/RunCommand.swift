import Foundation
import HeraldCore
import HeraldDelivery
import HeraldStore
import HeraldWorker

/// `herald run`: the service — evaluation every `evaluate_every`, continuous delivery.
enum RunCommand: HeraldCommand {
    static let words = ["run"]
    static let summary = "evaluate triggers and deliver the outbox (the systemd service; --once for cron)"
    static let valueOptions: Set<String> = ["--sandbox", "--metrics-file", "--serve"]
    static let flagOptions: Set<String> = ["--once"]
    static let help = """
        Usage: herald run [--once] [--metrics-file PATH] [--serve ADDRESS] [--sandbox DIR]

        Evaluates every enabled trigger every 'evaluate_every' and writes the planned sends to
        the outbox, while the dispatcher delivers due rows through their channels: re-checked
        right before each call (consent, window, expiry), retried with backoff, rate-limited,
        falling back to the trigger's next channel on a permanent failure.

        As a systemd service (Type=notify): READY=1 once the config, templates, store and
        channels are all good (a config that does not validate stops here, exit 2); STATUS=
        with the queue; WATCHDOG=1 while the dispatcher answers. SIGHUP reloads config,
        triggers and templates (kept as they were when the new ones do not validate);
        SIGTERM or SIGINT stops claiming, lets calls in flight finish within
        dispatch.shutdown_timeout, returns the rest to the queue and exits 0.
        Logs: one key=value line per event on standard error; addresses masked.

        Options:
          --once         one evaluation, deliver every row due now, exit (for cron)
          --metrics-file PATH
                         write Prometheus metrics there after every evaluation (and at the end
                         of --once), replaced atomically: for node_exporter's textfile
                         collector, name it *.prom in the collector's directory
          --serve ADDRESS
                         answer the HTTP edge there too (tracked links, replies, receipts,
                         unsubscribe: herald serve --help); default: serve.listen in the config
          --sandbox DIR  the sandbox: DIR's config, members and events in a throwaway store,
                         on a simulated clock starting at sandbox.at — evaluates once, then
                         delivers each send at its scheduled time over the next day through
                         the config's (log) channels, and prints the outbox. Implies --once.
        Exit status: 0 done or stopped by a signal; 2 config, store or channel error.
        """

    static func run(positionals: [String], options: ParsedArguments, context: CommandContext) throws -> ExitCode {
        guard positionals.isEmpty else {
            throw ParsedArguments.UsageError(description: "run takes no arguments besides its options")
        }
        let console = context.console
        let log = EventLog { line in console.printError(String(line.dropLast())) }
        if let folder = options.options["--sandbox"] {
            return try runSandbox(folder: folder, context: context, log: log)
        }
        let once = options.flags.contains("--once")
        if once, options.options["--serve"] != nil {
            throw ParsedArguments.UsageError(description: "--serve needs the service: run without --once")
        }
        // Caught from here on: a SIGTERM during start-up stops the service cleanly once it runs.
        let signals = once ? nil : ServiceSignal.stream()
        // A broken config is the service's to report (before READY); the edge starts only with a good one.
        let address = once ? nil : options.options["--serve"] ?? (try? context.loadConfig())?.serveListen
        let latestMetrics = address.map { _ in LatestMetrics() }
        let service = WorkerService(configPath: try context.configPath(), clock: context.clock, log: log,
                                    metricsPath: options.options["--metrics-file"], latestMetrics: latestMetrics)
        let report: WorkerService.Report
        if let signals {
            let edge = try address.map {
                try EdgeLauncher(address: $0, config: try context.loadConfig(), clock: context.clock, log: log,
                                 workerMetrics: latestMetrics)
            }
            defer { edge?.stop() }
            report = try AsyncBridge.blocking { try await service.run(signals: signals) }
        } else {
            report = try AsyncBridge.blocking { try await service.runOnce() }
        }
        console.printError("herald: planned \(report.planned), sent \(report.delivery.sent), failed \(report.delivery.failed); "
                           + "queue: \(WorkerService.statusLine(report.depth))")
        return .success
    }

    private static func runSandbox(folder: String, context: CommandContext, log: EventLog) throws -> ExitCode {
        let day = try SandboxDay.run(folder: folder, context: context, log: log)
        let config = day.session.catalog.config
        let (entries, _) = try day.session.store.makeOutboxQueue(owner: LeaseOwner.makeName())
            .entries(OutboxFilter(limit: Int.max))
        let view = OutboxView(defaultZone: config.timeZone)
        context.console.print("Outbox after a simulated day from \(InstantFormatter.string(from: day.start, in: config.timeZone)) "
                              + "(\(entries.count) rows; channels wrote to "
                              + LogChannel.paths(in: config).map { ($0 as NSString).lastPathComponent }.joined(separator: ", ")
                              + ")")
        context.console.print(view.table(entries).joined(separator: "\n"))
        let report = day.report
        // The rows as they ended, not only the calls: a send the gateway took may still fail by its receipt.
        let statuses = ["delivered", "sent", "failed", "expired", "cancelled", "pending", "sending"]
        let ended = statuses.compactMap { status in
            let count = entries.count { $0.status == status }
            return count == 0 ? nil : "\(count) \(status)"
        }
        let coupons = report.delivery.couponsIssued
        context.console.print("\nplanned \(report.planned), held out \(report.heldOut), suppressed \(report.suppressed); "
                              + "calls: \(report.delivery.sent) sent, \(report.delivery.failed) failed; "
                              + (coupons > 0 ? "coupons issued: \(coupons); " : "")
                              + "rows now: \(ended.isEmpty ? "none" : ended.joined(separator: ", "))")
        return .success
    }
}
