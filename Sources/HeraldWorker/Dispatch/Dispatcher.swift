import Foundation
import HeraldCore
import HeraldDelivery
import HeraldStore

/// Delivers due outbox rows (SPEC 5, issue 11): claims them per channel under a lease that
/// names this worker, re-checks each in the transaction that starts its call, calls the
/// channel with bounded concurrency at an adaptive rate, and writes every outcome back —
/// retry with backoff, defer when throttled, fail, fall back to the next channel.
///
/// One loop owns all decisions (what to claim, what to start, when to flush), so there are
/// no locks: calls run as child tasks and post their answers to an inbox the loop drains in
/// one pass. Outcomes are written in batches, which is what lets one SQLite file keep up
/// with thousands of sends a second. A lane claims only what it can start within its lease,
/// and the loop extends the leases of every row it holds, so a live worker never loses a row.
public actor Dispatcher {
    public struct Totals: Sendable, Equatable {
        public var sent = 0
        public var retried = 0
        public var throttled = 0
        public var failed = 0
        public var fellBack = 0
        public var cancelled = 0
        public var expired = 0
        public var rescheduled = 0
        /// Calls abandoned at a shutdown deadline, their rows returned uncharged.
        public var released = 0
        /// Other workers' rows whose call had started when their lease ran out: charged as `lost`.
        public var recoveredLeases = 0
        /// Other workers' rows claimed but never called when their lease ran out: returned uncharged.
        public var returnedLeases = 0
        /// Coupons the coupon system issued (each send with an issuer's offer, once — as the
        /// store counted them, so two companions asking about one coupon count one).
        public var couponsIssued = 0

        mutating func add(_ outcome: DeliveryRecord.Outcome) {
            switch outcome {
            case .sent: sent += 1
            case .retry: retried += 1
            case .deferred: throttled += 1
            case .failed: failed += 1
            case .fallback: fellBack += 1
            case .cancelled: cancelled += 1
            case .expired: expired += 1
            case .rescheduled: rescheduled += 1
            case .released: released += 1
            case .couponIssued: break
            }
        }
    }

    /// How long `run` waits at most before looking for newly due rows when idle.
    public static let idlePoll: Duration = .milliseconds(500)
    /// Outcomes are written when this many are waiting, when the oldest has waited
    /// `flushDelay`, or when nothing is in flight: batches for throughput, yet few sent-but-
    /// unrecorded rows (which a crash would send again) at any instant.
    static let flushBatch = 128
    static let flushDelay: Duration = .milliseconds(10)
    /// How long outcomes the store refused wait before the next try: a store that is away
    /// (a restarting database) is asked a few times a second, not at every pass of the loop.
    static let storeRetryDelay: Duration = .milliseconds(250)
    /// Other workers' expired leases are looked for this often.
    static let recoveryInterval: TimeInterval = 1
    /// How long a stopping dispatcher keeps trying to write its last outcomes.
    static let finalFlushPatience: Duration = .seconds(10)

    private struct Lane {
        let router: ProviderRouter
        let concurrency: Int
        var rate: AdaptiveRate
        /// Claimed, not yet started, oldest first.
        var waiting: [ClaimedSend] = []
        var inFlight = 0
    }

    private let queue: any OutboxQueue
    private var catalog: Catalog
    private var lanes: [String: Lane] = [:]
    /// Each trigger's coupon issuer, by trigger id (`CouponIssuerFactory.makeIssuers`).
    private var issuers: [String: any CouponIssuer]
    private let clock: any WallClock
    private let log: EventLog
    private var redactor: ErrorRedactor
    private let inbox = DispatchInbox()
    private var stopping = false
    private var lastRecovery: Date?
    /// When refused outcomes are written again (nil: the last write went through).
    private var flushRetryAt: ContinuousClock.Instant?
    private var nextExtension: Date?
    /// How long until a rate-limited or paused lane may start its next call.
    private var nextStartWait: Duration?
    public private(set) var totals = Totals()
    /// The same per channel, with each gateway call's latency (for the metrics file).
    public private(set) var channelTotals: [String: Totals] = [:]
    public private(set) var latencies: [String: LatencyHistogram] = [:]
    /// Every provider call's classified answer (`accepted`, `transient`…), by provider.
    public private(set) var providerResults: [String: [String: Int]] = [:]

    /// Opens its own connection to `store`. `redactor` knows the channels' and issuers'
    /// secrets, so no gateway echo of them reaches the store or the log.
    public init(store: StoreLocation, keys: StoreKeys = .none, catalog: Catalog, routers: [String: ProviderRouter],
                issuers: [String: any CouponIssuer], clock: any WallClock, log: EventLog,
                redactor: ErrorRedactor = ErrorRedactor()) throws {
        queue = try StoreFactory.open(store, keys: keys).makeOutboxQueue(owner: LeaseOwner.makeName())
        owner = queue.owner
        self.catalog = catalog
        self.issuers = issuers
        self.clock = clock
        self.log = log
        self.redactor = redactor
        lanes = Self.makeLanes(catalog: catalog, routers: routers)
    }

    /// This worker's name on the leases it holds.
    public nonisolated let owner: String

    private static func makeLanes(catalog: Catalog, routers: [String: ProviderRouter]) -> [String: Lane] {
        var lanes: [String: Lane] = [:]
        for entry in catalog.config.channels {
            guard let router = routers[entry.name] else { continue }
            lanes[entry.name] = Lane(router: router,
                                     concurrency: entry.concurrency ?? catalog.config.dispatch.concurrency,
                                     rate: AdaptiveRate(configuredRate: entry.ratePerSecond))
        }
        return lanes
    }

    /// A reloaded catalog and its channels; rows already claimed finish on the old channel. A
    /// channel whose rate setting is unchanged keeps what throttling taught it (its slowed-down
    /// rate, a pause the gateway asked for).
    public func replace(catalog: Catalog, routers: [String: ProviderRouter], issuers: [String: any CouponIssuer],
                        redactor: ErrorRedactor? = nil) {
        self.catalog = catalog
        self.issuers = issuers
        if let redactor { self.redactor = redactor }
        var fresh = Self.makeLanes(catalog: catalog, routers: routers)
        for (name, old) in lanes {
            if fresh[name] == nil {
                // A channel gone from the config keeps its lane until its rows have settled.
                if old.inFlight > 0 || !old.waiting.isEmpty { fresh[name] = old }
            } else {
                fresh[name]!.waiting = old.waiting
                fresh[name]!.inFlight = old.inFlight
                if fresh[name]!.rate.configuredRate == old.rate.configuredRate { fresh[name]!.rate = old.rate }
            }
        }
        lanes = fresh
    }

    /// Stop claiming and starting; `run` returns once in-flight calls have reported.
    public func stop() {
        stopping = true
        inbox.signal()
    }

    public func depth() throws -> [String: Int] { try queue.depth() }

    /// Each channel's providers and the state of their circuits.
    public func circuitStates() -> [String: [(provider: String, state: CircuitBreaker.State)]] {
        lanes.mapValues { $0.router.circuitStates() }
    }

    public func oldestDue() throws -> [String: Date] { try queue.oldestDue(now: clock.now()) }

    /// When the next pending row falls due (nil: none pending).
    public func nextDueAt() throws -> Date? { try queue.nextDueAt() }

    /// Delivers until nothing is due at the clock's now and nothing is in flight (`--once`,
    /// tests). Rows of a lane the gateway has paused are returned to the queue.
    public func drain() async { await loop(untilIdle: true) }

    /// Delivers until `stop()`; cancelling the task abandons the calls in flight (shutdown deadline).
    public func run() async { await loop(untilIdle: false) }

    private var inFlight: Int { lanes.values.reduce(0) { $0 + $1.inFlight } }
    private var hasWaiting: Bool { lanes.values.contains { !$0.waiting.isEmpty } }

    /// The rules for a finished call, from the catalog and secrets in force now.
    private var callOutcome: CallOutcome {
        let recheck = DeliveryRecheck(catalog: catalog)
        return CallOutcome(retry: RetryPolicy(maxAttempts: catalog.config.dispatch.maxAttempts,
                                              base: TimeInterval(catalog.config.dispatch.backoff.seconds)),
                           maxDeferral: TimeInterval(catalog.config.dispatch.maxDeferral.seconds), redactor: redactor,
                           nextOpening: { recheck.nextOpening(for: $0, after: $1) })
    }

    private func loop(untilIdle: Bool) async {
        var records: [DeliveryRecord] = []
        var oldestRecord: ContinuousClock.Instant?
        await withDiscardingTaskGroup { group in
            var abandoning = false
            while true {
                for completion in inbox.takeCompletions() {
                    records.append(settle(completion))
                    if oldestRecord == nil { oldestRecord = .now }
                }
                if Task.isCancelled && !abandoning {
                    abandoning = true
                    group.cancelAll()
                }
                maintainLeases()
                var progressed = false
                nextStartWait = nil
                if !stopping && !abandoning {
                    if untilIdle { returnRowsOfPausedLanes() }
                    progressed = refill() > 0
                    progressed = start(into: &group) || progressed
                }
                let flushAllowed = flushRetryAt.map { ContinuousClock.now >= $0 } ?? true
                if !records.isEmpty, flushAllowed, records.count >= Self.flushBatch || inFlight == 0 || stopping
                    || abandoning || oldestRecord.map({ ContinuousClock.now - $0 >= Self.flushDelay }) == true {
                    if flush(&records) {
                        oldestRecord = nil
                        progressed = true
                    }
                }
                if inFlight == 0 && (stopping || abandoning) { break }
                if inFlight == 0 && !hasWaiting && records.isEmpty && untilIdle && !progressed { break }
                // Rows just settled or written may make more work due at once (a fallback).
                if progressed && inFlight == 0 && nextStartWait == nil { continue }
                var timeout = min(nextStartWait ?? Self.idlePoll, Self.idlePoll)
                if !records.isEmpty {
                    timeout = min(timeout, flushRetryAt.map { max($0 - ContinuousClock.now, .zero) } ?? Self.flushDelay)
                }
                await inbox.wait(timeout: timeout, wakingOnCancel: !abandoning)
            }
        }
        for completion in inbox.takeCompletions() { records.append(settle(completion)) }
        await flushBeforeReturning(&records)
        let held = lanes.values.flatMap(\.waiting).map(\.key)
        for name in lanes.keys { lanes[name]!.waiting.removeAll() }
        do {
            try queue.release(held, now: clock.now())
        } catch {
            storeProblem("dispatch.release_failed", error, ["rows": "\(held.count)"])
        }
    }

    /// Extends this worker's leases a few times per lease period (rows waiting behind a rate
    /// limit stay ours), and looks for other workers' expired leases once a second.
    private func maintainLeases() {
        let now = clock.now()
        let lease = TimeInterval(catalog.config.dispatch.lease.seconds)
        if nextExtension.map({ now >= $0 }) ?? true {
            do {
                try queue.extendLeases(until: now + lease)
                nextExtension = now + max(1, lease / 4)
            } catch {
                // Tried again within a second, not a quarter lease later: after an outage this
                // worker's leases must be renewed before another worker's recovery finds them expired.
                nextExtension = now + Self.recoveryInterval
                storeProblem("dispatch.lease_failed", error)
            }
        }
        do {
            if lastRecovery.map({ now.timeIntervalSince($0) >= Self.recoveryInterval }) ?? true {
                lastRecovery = now
                let recovery = try queue.recoverExpiredLeases(now: now,
                                                              maxAttempts: catalog.config.dispatch.maxAttempts)
                totals.recoveredLeases += recovery.charged
                totals.returnedLeases += recovery.returned
                if recovery != OutboxRecovery() {
                    log.warning("dispatch.leases_recovered",
                                ["called": "\(recovery.charged)", "never_called": "\(recovery.returned)"])
                }
            }
        } catch {
            storeProblem("dispatch.lease_recovery_failed", error)
        }
    }

    /// Claims rows for channels with room: at most twice their concurrency waiting or running,
    /// and no more than their current rate can start within half a lease. Returns how many.
    private func refill() -> Int {
        var total = 0
        let now = clock.now()
        let lease = TimeInterval(catalog.config.dispatch.lease.seconds)
        let tick = ContinuousClock.now
        for name in lanes.keys.sorted() {
            let lane = lanes[name]!
            if let pausedUntil = lane.rate.pausedUntil, pausedUntil > tick { continue }
            var capacity = 2 * lane.concurrency
            if let rate = lane.rate.currentRate { capacity = min(capacity, max(1, Int(rate * lease / 2))) }
            let room = capacity - lane.waiting.count - lane.inFlight
            guard room >= max(1, min(capacity, lane.concurrency) / 2) else { continue }
            do {
                let claimed = try queue.claim(channel: name, limit: room, now: now, leaseUntil: now + lease)
                lanes[name]!.waiting += claimed
                total += claimed.count
            } catch {
                storeProblem("dispatch.claim_failed", error, ["channel": name])
            }
        }
        return total
    }

    /// Drain mode: a lane the gateway paused gives its waiting rows back rather than hold up the drain.
    private func returnRowsOfPausedLanes() {
        let tick = ContinuousClock.now
        for (name, lane) in lanes where !lane.waiting.isEmpty {
            guard let pausedUntil = lane.rate.pausedUntil, pausedUntil - tick > Self.idlePoll else { continue }
            do {
                try queue.release(lane.waiting.map(\.key), now: clock.now())
                lanes[name]!.waiting.removeAll()
            } catch {
                storeProblem("dispatch.release_failed", error, ["channel": name])
            }
        }
    }

    /// Picks what concurrency and rate allow, re-checks it and marks it started in one
    /// transaction, then starts those calls. Returns whether anything was started or settled.
    private func start(into group: inout DiscardingTaskGroup) -> Bool {
        let picked = pickStarts()
        guard !picked.isEmpty else { return false }
        let now = clock.now()
        let recheck = DeliveryRecheck(catalog: catalog)
        let starts: [CallStart]
        do {
            starts = try queue.startCalls(picked.map(\.send), now: now) { send, facts in
                recheck.outcome(for: send, facts: facts, at: now)
            }
        } catch {
            // Nothing was started: the rows wait at the head of their lanes for the next pass.
            for (name, send) in picked.reversed() {
                lanes[name]!.waiting.insert(send, at: 0)
                lanes[name]!.rate.giveBack()
            }
            storeProblem("dispatch.start_failed", error, ["rows": "\(picked.count)"])
            nextStartWait = min(nextStartWait ?? .milliseconds(100), .milliseconds(100))
            return false
        }
        for ((name, send), start) in zip(picked, starts) {
            switch start {
            case .call:
                lanes[name]!.inFlight += 1
                launch(send, on: name, startedAt: now, into: &group)
            case .settled(let outcome):
                lanes[name]!.rate.giveBack()
                let record = DeliveryRecord(key: send.key, outcome: outcome, startedAt: now, finishedAt: now,
                                            calledGateway: false)
                count(record, channel: name, reason: recheckReason(outcome))
            case .notHeld:
                lanes[name]!.rate.giveBack()
                log.warning("dispatch.row_taken_over",
                            ["row": "\(send.key)", "note": "no longer this worker's; not called"])
            }
        }
        return true
    }

    /// Takes waiting rows off their lanes as far as each lane's concurrency and rate allow,
    /// noting in `nextStartWait` when a rate-limited lane may go on.
    private func pickStarts() -> [(lane: String, send: ClaimedSend)] {
        let tick = ContinuousClock.now
        var picked: [(lane: String, send: ClaimedSend)] = []
        for name in lanes.keys.sorted() {
            // Taken out of the dictionary while changed: a copy left in it would make the
            // waiting array copy itself on every pass.
            var lane = lanes.removeValue(forKey: name)!
            var taken = 0
            while lane.inFlight + taken < lane.concurrency, taken < lane.waiting.count {
                if let wait = lane.rate.take(at: tick) {
                    nextStartWait = min(nextStartWait ?? wait, wait)
                    break
                }
                picked.append((name, lane.waiting[taken]))
                taken += 1
            }
            lane.waiting.removeFirst(taken)
            lanes[name] = lane
        }
        return picked
    }

    /// The call itself, as a child task that posts its answer to the inbox — or, for a send
    /// whose coupon its trigger's issuer has not issued yet, the issuer's call instead: the
    /// row then returns to the queue for its message (`CouponIssuance`).
    private func launch(_ send: ClaimedSend, on lane: String, startedAt: Date, into group: inout DiscardingTaskGroup) {
        let inbox = self.inbox
        if let coupon = send.coupon, coupon.issuedAt == nil, let issuer = issuers[send.triggerID] {
            // The channel's rate is for its gateway: this call goes elsewhere.
            lanes[lane]!.rate.giveBack()
            let request = CouponRequest(idempotencyKey: coupon.issuanceKey, code: coupon.code, title: coupon.title,
                                        expiresAt: coupon.expiresAt, memberID: send.memberID, triggerID: send.triggerID)
            group.addTask {
                let started = ContinuousClock.now
                let answer = await issuer.issue(request)
                inbox.post(DispatchInbox.Completion(lane: lane, send: send,
                                                    answer: .issuance(issuer: issuer.name, answer),
                                                    startedAt: startedAt, latency: ContinuousClock.now - started))
            }
            return
        }
        let router = lanes[lane]!.router
        // E-mail's one-click unsubscribe lives on the edge, under the links' host.
        let unsubscribeBase = send.channelKind == .email ? catalog.config.links?.base : nil
        group.addTask {
            let started = ContinuousClock.now
            let result = await router.send(ChannelMessage(
                idempotencyKey: send.idempotencyKey, channel: send.channel, channelKind: send.channelKind,
                category: send.category, to: send.address, title: send.title, text: send.text,
                segments: send.segments, providerContent: send.providerContent, html: send.html,
                unsubscribeURL: unsubscribeBase.flatMap { base in send.linkToken.map { base + "u/" + $0 } }))
            inbox.post(DispatchInbox.Completion(lane: lane, send: send, answer: .routed(result), startedAt: startedAt,
                                                latency: ContinuousClock.now - started))
        }
    }

    private func recheckReason(_ outcome: DeliveryRecord.Outcome) -> String {
        switch outcome {
        case .cancelled: "consent withdrawn"
        case .expired: "expired"
        case .rescheduled: "outside its send window"
        default: outcome.name
        }
    }

    /// Turns one finished call into its record.
    private func settle(_ completion: DispatchInbox.Completion) -> DeliveryRecord {
        lanes[completion.lane]?.inFlight -= 1
        switch completion.answer {
        case .routed(let routed):
            return settle(completion, routed: routed)
        case .issuance(let issuer, let answer):
            if case .failed(.misconfigured(let error, let status)) = answer {
                log.error("dispatch.issuer_misconfigured", [
                    "issuer": issuer, "status": status.map(String.init) ?? "-", "error": redactor.reduce(error),
                ])
            }
            var generator = SystemRandomNumberGenerator()
            let record = callOutcome.record(for: completion.send, issuer: issuer, answer: answer,
                                            startedAt: completion.startedAt, finishedAt: clock.now(),
                                            latency: completion.latency, using: &generator)
            count(record, channel: completion.lane, reason: record.error, gatewayLatency: false)
            return record
        }
    }

    /// A message's record; its lane learns how the gateway answered.
    private func settle(_ completion: DispatchInbox.Completion, routed: RoutedResult) -> DeliveryRecord {
        let tick = ContinuousClock.now
        for attempt in routed.tries {
            providerResults[attempt.provider, default: [:]][attempt.result.name, default: 0] += 1
            if case .misconfigured(let error, let status) = attempt.result {
                log.error("dispatch.channel_misconfigured", [
                    "channel": completion.lane, "provider": attempt.provider,
                    "status": status.map(String.init) ?? "-", "error": redactor.reduce(error),
                ])
            }
        }
        switch routed.result {
        case .accepted:
            lanes[completion.lane]?.rate.accepted(at: tick)
        case .throttled(_, _, let retryAfter):
            lanes[completion.lane]?.rate.throttled(at: tick, retryAfter: retryAfter.map { .seconds(min($0, 1e9)) })
        case .unavailable(_, let retryAfter):
            lanes[completion.lane]?.rate.pause(at: tick, for: .seconds(min(retryAfter, 1e9)))
        default:
            break
        }
        var generator = SystemRandomNumberGenerator()
        let price = routed.provider.flatMap { lanes[completion.lane]?.router.pricePerSegment(of: $0) }
        let record = callOutcome.record(for: completion.send, routed: routed, pricePerSegment: price,
                                        startedAt: completion.startedAt, finishedAt: clock.now(),
                                        latency: completion.latency, using: &generator)
        count(record, channel: completion.lane, reason: record.error)
        return record
    }

    /// `gatewayLatency` false: the call went to the coupon system, not the channel's gateway.
    private func count(_ record: DeliveryRecord, channel: String, reason: String?, gatewayLatency: Bool = true) {
        totals.add(record.outcome)
        channelTotals[channel, default: Totals()].add(record.outcome)
        if gatewayLatency, let milliseconds = record.latencyMilliseconds {
            latencies[channel, default: LatencyHistogram()].observe(seconds: Double(milliseconds) / 1000)
        }
        if case .sent = record.outcome { return }
        if case .couponIssued = record.outcome {
            log.log(.debug, "dispatch.coupon_issued", ["row": "\(record.key)", "issuer": record.provider ?? "-"])
            return
        }
        log.log(record.outcome == .failed ? .warning : .info, "dispatch.\(record.outcome.name)",
                ["row": "\(record.key)", "provider": record.provider ?? "-",
                 "status": record.httpStatus.map(String.init) ?? "-", "error": reason ?? "-"])
        if let kind = record.suppressesAddress {
            log.warning("dispatch.address_suppressed", ["row": "\(record.key)", "kind": kind.rawValue,
                                                        "provider": record.provider ?? "-"])
        }
    }

    /// The last outcomes, written even if the store is busy for a while: an outcome lost here
    /// would leave its row leased with its call started, to be called again after the lease.
    private func flushBeforeReturning(_ records: inout [DeliveryRecord]) async {
        let deadline = ContinuousClock.now + Self.finalFlushPatience
        while !records.isEmpty, !flush(&records), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(100))
        }
        if !records.isEmpty {
            log.error("dispatch.outcomes_unrecorded", [
                "rows": "\(records.count)", "note": "their leases run out and they are retried with the same key",
            ])
        }
    }

    /// Writes the waiting outcomes; false (and kept for the next try) when the store refused.
    @discardableResult
    private func flush(_ records: inout [DeliveryRecord]) -> Bool {
        guard !records.isEmpty else { return false }
        do {
            totals.couponsIssued += try queue.record(records)
            records.removeAll(keepingCapacity: true)
            flushRetryAt = nil
            return true
        } catch {
            flushRetryAt = ContinuousClock.now + Self.storeRetryDelay
            // Kept for the next flush; the leases (extended meanwhile) protect the rows.
            storeProblem("dispatch.record_failed", error, ["rows": "\(records.count)"])
            return false
        }
    }

    private func storeProblem(_ event: String, _ error: any Error, _ fields: KeyValuePairs<String, String> = [:]) {
        log.storeProblem(event, error, busyEvent: "dispatch.store_busy", fields)
    }
}
