import Foundation
import HeraldCore
import HeraldDelivery
import HeraldStore

/// `herald run`: evaluation every `evaluate_every` plus continuous dispatch, as a systemd
/// `Type=notify` service (SPEC 4–5).
///
/// Start-up validates the catalog, opens (and migrates) the store and builds every channel
/// (secrets included) before `READY=1`: a broken config never looks started. SIGHUP reloads
/// config, triggers and templates — validated first, the old ones kept on any error.
/// SIGTERM/SIGINT stop claiming, let in-flight calls finish within `shutdown_timeout`,
/// release what is left and return. `WATCHDOG=1` is sent only while the dispatcher answers.
public final class WorkerService: Sendable {
    public struct Report: Sendable {
        public var evaluations = 0
        public var planned = 0
        public var heldOut = 0
        public var suppressed = 0
        /// Occurrences suppressed for the first time, by reason (repeats at later ticks not counted).
        public var newlySuppressed: [SuppressionReason: Int] = [:]
        public var evaluationSeconds = 0.0
        public var lastEvaluationSeconds = 0.0
        /// The latest evaluation per trigger: candidates read (recorded occurrences are left out
        /// by the query), decisions and seconds.
        public var lastTriggers: [Evaluation.TriggerSummary] = []
        public var delivery = Dispatcher.Totals()
        public var depth: [String: Int] = [:]
        /// Whether the latest tick evaluated (false: another worker on the store holds the
        /// evaluator lock; nil: no tick yet).
        public var isEvaluator: Bool?
    }

    private let configPath: String
    private let secrets: SecretSource
    private let clock: any WallClock
    private let log: EventLog
    private let notifier: SystemdNotifier
    /// The store to use instead of the config's (the sandbox's throwaway store).
    private let storeOverride: StoreLocation?
    private let codes: SendCodes.Source
    private let metricsFile: MetricsTextfile?
    /// Where the metrics also go for the edge's `/metrics` (`herald run --serve`).
    private let latestMetrics: LatestMetrics?
    private let transport: any HTTPTransport

    public init(configPath: String, store: StoreLocation? = nil, secrets: SecretSource = .system, clock: any WallClock,
                log: EventLog, notifier: SystemdNotifier = SystemdNotifier(), codes: SendCodes.Source = .secure,
                metricsPath: String? = nil, latestMetrics: LatestMetrics? = nil,
                transport: any HTTPTransport = CurlTransport.shared) {
        self.transport = transport
        self.latestMetrics = latestMetrics
        self.configPath = configPath
        metricsFile = metricsPath.map(MetricsTextfile.init(path:))
        self.codes = codes
        storeOverride = store
        self.secrets = secrets
        self.clock = clock
        self.log = log
        self.notifier = notifier
    }

    /// What the service runs with: the catalog, its channels' routers, its offers' coupon
    /// issuers, and a redactor that knows their secrets.
    public struct Setup: Sendable {
        public var catalog: Catalog
        public var routers: [String: ProviderRouter]
        public var issuers: [String: any CouponIssuer]
        public var redactor: ErrorRedactor
        /// The store's keys (`store.key`), resolved once at start-up: a reload keeps them.
        public var storeKeys: StoreKeys
    }

    /// The catalog and its channels, every check passed (template mappings included: a send
    /// a provider cannot take must not be planned); throws what is wrong.
    public func loadSetup() throws -> Setup {
        let catalog = try CatalogLoader.load(configPath: configPath)
        let mappingProblems = ChannelFactory.mappingProblems(catalog)
        guard mappingProblems.isEmpty else { throw ConfigLoader.Failure(diagnostics: mappingProblems) }
        let storeKeys = try StoreKeys(resolving: catalog.config.storeKey, secrets: secrets)
        let tokens = StoreTokens(location: storeOverride ?? catalog.config.store, keys: storeKeys, clock: clock, log: log)
        let context = ChannelContext(secrets: secrets, clock: clock, transport: transport, tokens: tokens)
        let routers = try ChannelFactory.makeRouters(catalog.config, context: context)
        let issuers = try CouponIssuerFactory.makeIssuers(catalog, context: context)
        return Setup(catalog: catalog, routers: routers, issuers: issuers,
                     redactor: ErrorRedactor(secrets: ChannelFactory.secretValues(catalog, secrets: secrets)),
                     storeKeys: storeKeys)
    }

    private func makeDispatcher(_ setup: Setup, store: StoreLocation) throws -> Dispatcher {
        try Dispatcher(store: store, keys: setup.storeKeys, catalog: setup.catalog, routers: setup.routers,
                       issuers: setup.issuers, clock: clock, log: log,
                       redactor: setup.redactor)
    }

    /// One evaluation, then every due row delivered; with `simulateUntil`, the (manual)
    /// clock then jumps from due time to due time up to that instant (the sandbox's day).
    public func runOnce(simulateUntil horizon: Date? = nil) async throws -> Report {
        let setup = try loadSetup()
        let catalog = setup.catalog
        let store = storeOverride ?? catalog.config.store
        let evaluator = try EvaluationRunner(store: store, keys: setup.storeKeys, catalog: catalog, codes: codes)
        let dispatcher = try makeDispatcher(setup, store: store)
        notifier.notify("READY=1")
        var report = Report()
        try await evaluate(evaluator, into: &report)
        await dispatcher.drain()
        if let horizon, let manual = clock as? ManualWallClock {
            while let due = try await dispatcher.nextDueAt(), due <= horizon {
                manual.set(max(due, manual.now()))
                await dispatcher.drain()
            }
        }
        let receipts = try ReceiptPuller(store: store, keys: setup.storeKeys, routers: setup.routers,
                                         defaultTimeZone: catalog.config.timeZone, clock: clock, log: log,
                                         redactor: setup.redactor)
        await receipts.pullDue()
        report = try await Self.withDeliveryState(report, from: dispatcher)
        await writeMetrics(report, dispatcher: dispatcher, channels: catalog.config.channels.map(\.name))
        notifier.notify("STOPPING=1")
        return report
    }

    /// Runs until `signals` brings `.terminate` (or ends).
    public func run(signals: AsyncStream<ServiceSignal>) async throws -> Report {
        let setup = try loadSetup()
        var catalog = setup.catalog
        let store = storeOverride ?? catalog.config.store
        let evaluator = try EvaluationRunner(store: store, keys: setup.storeKeys, catalog: catalog, codes: codes)
        let dispatcher = try makeDispatcher(setup, store: store)
        let dispatching = Task { await dispatcher.run() }
        let reportBox = ReportBox()
        let evaluating = startEvaluating(evaluator, dispatcher: dispatcher, into: reportBox,
                                         channels: catalog.config.channels.map(\.name))
        let receipts = try ReceiptPuller(store: store, keys: setup.storeKeys, routers: setup.routers,
                                         defaultTimeZone: catalog.config.timeZone, clock: clock, log: log,
                                         redactor: setup.redactor)
        let pulling = startPullingReceipts(receipts)
        notifier.notify("READY=1\nSTATUS=started")
        // After READY=1: systemd's first word from the service is that it started.
        let heartbeat = startHeartbeat(dispatcher)
        log.info("service.ready", ["config": configPath, "store": store.description,
                                   "channels": catalog.config.channels.map(\.name).joined(separator: ",")])
        warnOfClockSkew(store, keys: setup.storeKeys)
        for await signal in signals {
            if case .terminate = signal { break }
            if let fresh = await reload(replacing: catalog, keys: setup.storeKeys, evaluator: evaluator,
                                        dispatcher: dispatcher, receipts: receipts) {
                catalog = fresh
            }
        }
        notifier.notify("STOPPING=1")
        log.info("service.stopping", ["timeout": "\(catalog.config.dispatch.shutdownTimeout)"])
        evaluating.cancel()
        pulling.cancel()
        await dispatcher.stop()
        let deadline = Duration.seconds(catalog.config.dispatch.shutdownTimeout.seconds)
        if await !Self.finish(dispatching, within: deadline) {
            log.warning("service.shutdown_deadline", ["note": "in-flight calls cancelled, rows released"])
        }
        _ = await evaluating.value
        heartbeat.cancel()
        var report = await reportBox.report
        report = (try? await Self.withDeliveryState(report, from: dispatcher)) ?? report
        log.info("service.stopped", ["sent": "\(report.delivery.sent)", "failed": "\(report.delivery.failed)"])
        return report
    }

    /// Leases are compared with each worker's own clock: a worker whose clock runs seconds
    /// ahead of the others' would take their rows for abandoned. Said once, at start-up.
    private func warnOfClockSkew(_ location: StoreLocation, keys: StoreKeys) {
        guard let server = try? StoreFactory.open(location, keys: keys, access: .readOnly).serverClock() else { return }
        let skew = clock.now().timeIntervalSince(server)
        guard abs(skew) >= 5 else { return }
        log.warning("store.clock_skew", [
            "seconds": String(format: "%.1f", skew),
            "note": "this machine's clock differs from the database server's; keep every worker's clock in sync (NTP)",
        ])
    }

    /// Evaluates every `evaluate_every` (as the catalog in force says: a reload may change it),
    /// writing the metrics file after each evaluation.
    private func startEvaluating(_ evaluator: EvaluationRunner, dispatcher: Dispatcher, into reportBox: ReportBox,
                                 channels: [String]) -> Task<Void, Never> {
        Task { [self] in
            while !Task.isCancelled {
                var report = await reportBox.report
                do {
                    try await evaluate(evaluator, into: &report)
                } catch {
                    log.storeProblem("evaluation.failed", error, busyEvent: "evaluation.store_busy")
                }
                await reportBox.set(report)
                if metricsFile != nil || latestMetrics != nil, let current = try? await Self.withDeliveryState(report, from: dispatcher) {
                    await writeMetrics(current, dispatcher: dispatcher, channels: channels)
                }
                try? await Task.sleep(for: await evaluator.interval)
            }
        }
    }

    /// Pulls receipts from the providers that can, at the shortest of their intervals (each is
    /// asked only when its own interval has passed).
    private func startPullingReceipts(_ receipts: ReceiptPuller) -> Task<Void, Never> {
        Task {
            while !Task.isCancelled {
                guard let interval = await receipts.shortestInterval else {
                    // None pulls now; a reload may add one.
                    try? await Task.sleep(for: .seconds(10))
                    continue
                }
                await receipts.pullDue()
                try? await Task.sleep(for: .seconds(interval))
            }
        }
    }

    /// `WATCHDOG=1` and the queue in `STATUS=`, only while the dispatcher answers.
    private func startHeartbeat(_ dispatcher: Dispatcher) -> Task<Void, Never> {
        Task { [self] in
            let period = min(notifier.watchdogInterval ?? .seconds(5), .seconds(5))
            while !Task.isCancelled {
                if let depth = try? await dispatcher.depth() {
                    notifier.notify("WATCHDOG=1\nSTATUS=" + Self.statusLine(depth))
                }
                try? await Task.sleep(for: period)
            }
        }
    }

    /// SIGHUP: the new config, triggers and templates when all of them are good (nil keeps the old).
    private func reload(replacing catalog: Catalog, keys: StoreKeys, evaluator: EvaluationRunner,
                        dispatcher: Dispatcher, receipts: ReceiptPuller) async -> Catalog? {
        do {
            let fresh = try loadSetup()
            if fresh.catalog.config.store != catalog.config.store || fresh.storeKeys != keys {
                log.warning("config.store_changed", ["note": "a new store path or store key takes effect on restart"])
            }
            await evaluator.replace(catalog: fresh.catalog)
            await dispatcher.replace(catalog: fresh.catalog, routers: fresh.routers, issuers: fresh.issuers,
                                     redactor: fresh.redactor)
            await receipts.replace(routers: fresh.routers)
            log.info("config.reloaded", ["triggers": "\(fresh.catalog.triggers.count)"])
            audit(catalog, keys, "config reload", "accepted: \(fresh.catalog.triggers.count) triggers")
            return fresh.catalog
        } catch {
            log.error("config.reload_rejected", ["error": "\(error)", "kept": "the previous config"])
            let reason = SensitiveText.masked(String("\(error)".prefix { !$0.isNewline }.prefix(300)))
            audit(catalog, keys, "config reload", "rejected, the previous config kept: \(reason)")
            return nil
        }
    }

    /// A reload in the store's audit log, by the service's user (a reload has no other actor):
    /// a log line if the store cannot take it, never a failed reload.
    private func audit(_ catalog: Catalog, _ keys: StoreKeys, _ action: String, _ detail: String) {
        do {
            try StoreFactory.open(storeOverride ?? catalog.config.store, keys: keys)
                .appendAudit(actor: OperatingSystemUser.name, action: action, detail: detail, at: clock.now())
        } catch {
            log.warning("audit.unrecorded", ["action": action, "error": "\(error)"])
        }
    }

    /// Waits for the dispatcher's loop to return; at `deadline` it is cancelled (calls in
    /// flight abandoned, their rows released). Whether it returned in time.
    private static func finish(_ dispatching: Task<Void, Never>, within deadline: Duration) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask { await dispatching.value; return true }
            group.addTask {
                try? await Task.sleep(for: deadline)
                return false
            }
            let first = await group.next() ?? true
            if !first { dispatching.cancel() }
            group.cancelAll()
            return first
        }
    }

    private func evaluate(_ evaluator: EvaluationRunner, into report: inout Report) async throws {
        let instant = clock.now()
        let outcome = try await evaluator.evaluate(at: instant)
        // The role is logged when it changes: one line per takeover, not one per tick.
        let wasEvaluator = report.isEvaluator
        report.isEvaluator = !outcome.isStandby
        if outcome.isStandby {
            if wasEvaluator != false {
                log.info("evaluation.standby", ["note": "another worker holds the store's evaluator lock; delivering only"])
            }
            return
        }
        if wasEvaluator == false {
            log.info("evaluation.took_over", ["note": "the worker that evaluated this store is gone"])
        }
        let suppressed = outcome.evaluation.suppressed.values.reduce(0, +)
        report.evaluations += 1
        report.evaluationSeconds += outcome.seconds
        report.lastEvaluationSeconds = outcome.seconds
        report.lastTriggers = outcome.triggers
        report.newlySuppressed.merge(outcome.written.newlySuppressed, uniquingKeysWith: +)
        report.planned += outcome.written.written
        report.heldOut += outcome.written.heldOut
        report.suppressed += suppressed
        for skipped in outcome.written.newlySkipped {
            log.warning("evaluation.member_skipped", ["trigger": skipped.triggerID, "member": skipped.memberID,
                                                      "reason": skipped.reason.rawValue, "detail": skipped.detail])
        }
        let skippedCount = [SuppressionReason.invalidData, .tooLong]
            .reduce(0) { $0 + (outcome.written.newlySuppressed[$1] ?? 0) }
        if skippedCount > outcome.written.newlySkipped.count {
            log.warning("evaluation.members_skipped", ["more": "\(skippedCount - outcome.written.newlySkipped.count)",
                                                       "note": "not listed one by one; see herald preview"])
        }
        // Per trigger, in evaluation order: `id=value` pairs, so a slow or swollen trigger shows in the line.
        func perTrigger(_ value: (Evaluation.TriggerSummary) -> String) -> String {
            outcome.triggers.map { "\($0.triggerID)=\(value($0))" }.joined(separator: " ")
        }
        log.info("evaluation.done", [
            "at": InstantFormatter.utcString(from: instant), "planned": "\(outcome.written.written)",
            "held_out": "\(outcome.written.heldOut)", "suppressed": "\(suppressed)",
            "candidates": "\(outcome.triggers.reduce(0) { $0 + $1.candidates })",
            "seconds": String(format: "%.3f", outcome.seconds),
            "trigger_candidates": perTrigger { "\($0.candidates)" },
            "trigger_seconds": perTrigger { String(format: "%.3f", $0.seconds) },
        ])
        // Retention after the tick, by the evaluating worker; a failed sweep is logged, never fatal.
        do {
            if let swept = try await evaluator.sweepRetention(at: instant), swept.total > 0 || swept.hasMore {
                log.info("retention.swept", [
                    "events": "\(swept.events)", "points_lots": "\(swept.pointsLots)", "attempts": "\(swept.attempts)",
                    "messages": "\(swept.messages)",
                    "more": swept.hasMore ? "yes (the next sweep goes on)" : "no",
                ])
            }
        } catch {
            log.storeProblem("retention.failed", error, busyEvent: "retention.store_busy")
        }
    }

    /// The report with the dispatcher's totals and the outbox depth as they are now.
    private static func withDeliveryState(_ report: Report, from dispatcher: Dispatcher) async throws -> Report {
        var current = report
        current.delivery = await dispatcher.totals
        current.depth = try await dispatcher.depth()
        return current
    }

    /// Writes the metrics file and publishes the edge's copy, when there are; a failure is
    /// logged, never fatal.
    private func writeMetrics(_ report: Report, dispatcher: Dispatcher, channels: [String]) async {
        guard metricsFile != nil || latestMetrics != nil else { return }
        do {
            let snapshot = MetricsTextfile.Snapshot(
                report: report, channelTotals: await dispatcher.channelTotals, latencies: await dispatcher.latencies,
                oldestDue: try await dispatcher.oldestDue(), channels: channels, now: clock.now(),
                providerResults: await dispatcher.providerResults, circuits: await dispatcher.circuitStates())
            let text = MetricsTextfile.render(snapshot)
            latestMetrics?.publish(text)
            try metricsFile?.write(text)
        } catch {
            log.error("metrics.write_failed", ["error": "\(error)"])
        }
    }

    public static func statusLine(_ depth: [String: Int]) -> String {
        "pending \(depth["pending"] ?? 0), sending \(depth["sending"] ?? 0), sent \(depth["sent"] ?? 0), "
            + "failed \(depth["failed"] ?? 0)"
    }
}

/// The running totals the evaluation task and the shutdown path share.
private actor ReportBox {
    var report = WorkerService.Report()

    func set(_ report: WorkerService.Report) { self.report = report }
}
