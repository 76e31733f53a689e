import Foundation
import HeraldCore
import HeraldDelivery
import HeraldStore

/// Delivers due outbox rows (SPEC 5): claims them per channel under a lease, re-checks each
/// right before its call, calls the channel with bounded concurrency and its rate limit,
/// and writes every outcome back — retry with backoff, fail, fall back to the next channel.
///
/// One loop owns all decisions (what to claim, what to start, when to flush), so there are
/// no locks: calls run as child tasks and report back. Outcomes are written in batches,
/// which is what lets one SQLite file keep up with thousands of sends a second. A claimed
/// row is never held longer than a few seconds' worth of its channel's rate, far inside its lease.
public actor Dispatcher {
    public struct Totals: Sendable, Equatable {
        public var sent = 0
        public var retried = 0
        public var failed = 0
        public var fellBack = 0
        public var cancelled = 0
        public var expired = 0
        public var rescheduled = 0
        public var recoveredLeases = 0

        mutating func add(_ outcome: DeliveryRecord.Outcome) {
            switch outcome {
            case .sent: sent += 1
            case .retry: retried += 1
            case .failed: failed += 1
            case .fallback: fellBack += 1
            case .cancelled: cancelled += 1
            case .expired: expired += 1
            case .rescheduled: rescheduled += 1
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

    private struct Lane {
        let channel: any Channel
        let kind: ChannelKind
        let concurrency: Int
        var bucket: TokenBucket?
        var waiting: [ClaimedSend] = []
        var inFlight = 0
    }

    private enum Event: Sendable {
        case finished(DeliveryRecord?, key: Int64, channel: String)
        case timer
    }

    private let queue: OutboxQueue
    private var catalog: Catalog
    private var lanes: [String: Lane] = [:]
    private let clock: any WallClock
    private let log: EventLog
    private var stopping = false
    private var lastLeaseCheck: Date?
    public private(set) var totals = Totals()
    /// The same per channel, with each gateway call's latency (for the metrics file).
    public private(set) var channelTotals: [String: Totals] = [:]
    public private(set) var latencies: [String: LatencyHistogram] = [:]

    /// Opens its own connection to the store at `storePath`.
    public init(storePath: String, catalog: Catalog, channels: [String: any Channel], clock: any WallClock,
                log: EventLog) throws {
        queue = try OutboxQueue(store: try MemberStore(path: storePath))
        self.catalog = catalog
        self.clock = clock
        self.log = log
        lanes = Self.makeLanes(catalog: catalog, channels: channels)
    }

    private static func makeLanes(catalog: Catalog, channels: [String: any Channel]) -> [String: Lane] {
        var lanes: [String: Lane] = [:]
        for entry in catalog.config.channels {
            guard let channel = channels[entry.name] else { continue }
            lanes[entry.name] = Lane(channel: channel, kind: entry.kind,
                                     concurrency: max(1, entry.concurrency ?? catalog.config.dispatch.concurrency),
                                     bucket: entry.ratePerSecond.map(TokenBucket.init(rate:)))
        }
        return lanes
    }

    /// A reloaded catalog and its channels; rows already in flight finish on the old channel.
    public func replace(catalog: Catalog, channels: [String: any Channel]) {
        self.catalog = catalog
        var fresh = Self.makeLanes(catalog: catalog, channels: channels)
        for (name, old) in lanes {
            if fresh[name] == nil {
                // A channel gone from the config keeps its lane until its rows have settled.
                if old.inFlight > 0 || !old.waiting.isEmpty { fresh[name] = old }
            } else {
                fresh[name]!.waiting = old.waiting
                fresh[name]!.inFlight = old.inFlight
            }
        }
        lanes = fresh
    }

    /// Stop claiming and starting; `run` returns once in-flight calls have reported.
    public func stop() { stopping = true }

    public func depth() throws -> [String: Int] { try queue.depth() }

    public func oldestDue() throws -> [String: Date] { try queue.oldestDue(now: clock.now()) }

    /// When the next pending row falls due (nil: none pending).
    public func nextDueAt() throws -> Date? { try queue.nextDueAt() }

    /// Delivers until nothing is due at the clock's now and nothing is in flight (`--once`, tests).
    public func drain() async { await loop(untilIdle: true) }

    /// Delivers until `stop()`.
    public func run() async { await loop(untilIdle: false) }

    private func loop(untilIdle: Bool) async {
        let retry = RetryPolicy(maxAttempts: catalog.config.dispatch.maxAttempts,
                                base: TimeInterval(catalog.config.dispatch.backoff.seconds))
        var records: [DeliveryRecord] = []
        await withTaskGroup(of: Event.self) { group in
            var timerArmed = false
            var oldestRecord: ContinuousClock.Instant?
            while true {
                var nextTokenWait: Duration?
                var claimed = 0
                if !stopping {
                    claimed = refill()
                    nextTokenWait = start(into: &group, records: &records, retry: retry)
                }
                let inFlight = lanes.values.reduce(0) { $0 + $1.inFlight }
                var flushed = 0
                if records.count >= Self.flushBatch || inFlight == 0
                    || oldestRecord.map({ ContinuousClock.now - $0 >= Self.flushDelay }) == true {
                    flushed = flush(&records)
                    if records.isEmpty { oldestRecord = nil }
                }
                // Stopping: rows still waiting are released below, not started.
                if inFlight == 0 && stopping { break }
                if inFlight == 0, !lanes.values.contains(where: { !$0.waiting.isEmpty }) {
                    if untilIdle && claimed == 0 && flushed == 0 { break }
                    // Outcomes just written (a fallback is due at once) or rows settled by the
                    // re-check: look again at once.
                    if claimed > 0 || flushed > 0 { continue }
                }
                if !timerArmed, inFlight == 0 || nextTokenWait != nil {
                    let wait = min(nextTokenWait ?? Self.idlePoll, Self.idlePoll)
                    timerArmed = true
                    group.addTask {
                        try? await Task.sleep(for: wait)
                        return .timer
                    }
                }
                guard let event = await group.next() else { continue }
                switch event {
                case .timer:
                    timerArmed = false
                case .finished(let record, let key, let channel):
                    lanes[channel]?.inFlight -= 1
                    if let record {
                        count(record, channel: channel)
                        records.append(record)
                        if oldestRecord == nil { oldestRecord = .now }
                    } else {
                        try? queue.release([key], now: clock.now())
                    }
                }
            }
            group.cancelAll()
        }
        flush(&records)
        let held = lanes.values.flatMap(\.waiting).map(\.key)
        for name in lanes.keys { lanes[name]!.waiting.removeAll() }
        do {
            try queue.release(held, now: clock.now())
        } catch {
            log.error("dispatch.release_failed", ["rows": "\(held.count)", "error": "\(error)"])
        }
    }

    /// Claims rows for channels with room: at most twice their concurrency waits or runs.
    /// Returns how many it claimed.
    private func refill() -> Int {
        var total = 0
        let now = clock.now()
        let lease = catalog.config.dispatch.lease.seconds
        do {
            if lastLeaseCheck.map({ now.timeIntervalSince($0) >= 1 }) ?? true {
                lastLeaseCheck = now
                let recovered = try queue.recoverExpiredLeases(now: now, maxAttempts: catalog.config.dispatch.maxAttempts)
                if recovered > 0 {
                    totals.recoveredLeases += recovered
                    log.warning("dispatch.leases_recovered", ["rows": "\(recovered)"])
                }
            }
            for name in lanes.keys.sorted() {
                let lane = lanes[name]!
                let room = 2 * lane.concurrency - lane.waiting.count - lane.inFlight
                guard room >= max(1, lane.concurrency / 2) else { continue }
                let claimed = try queue.claim(channel: name, limit: room, now: now,
                                              leaseUntil: now + TimeInterval(lease))
                lanes[name]!.waiting += claimed
                total += claimed.count
            }
        } catch {
            log.error("dispatch.claim_failed", ["error": "\(error)"])
        }
        return total
    }

    /// Starts calls where concurrency and rate allow; re-check outcomes go straight to
    /// `records`. Returns the shortest wait for a rate-limited channel's next token.
    private func start(into group: inout TaskGroup<Event>, records: inout [DeliveryRecord], retry: RetryPolicy) -> Duration? {
        let recheck = DeliveryRecheck(catalog: catalog)
        var shortestWait: Duration?
        for name in lanes.keys.sorted() {
            while lanes[name]!.inFlight < lanes[name]!.concurrency, let send = lanes[name]!.waiting.first {
                let now = clock.now()
                if let (outcome, reason) = recheck.outcome(for: send, at: now) {
                    lanes[name]!.waiting.removeFirst()
                    let record = DeliveryRecord(key: send.key, outcome: outcome, startedAt: now, finishedAt: now,
                                                calledGateway: false, error: reason)
                    count(record, channel: name)
                    records.append(record)
                    continue
                }
                if let wait = lanes[name]!.bucket?.take(at: ContinuousClock.now) {
                    shortestWait = min(shortestWait ?? wait, wait)
                    break
                }
                lanes[name]!.waiting.removeFirst()
                lanes[name]!.inFlight += 1
                let channel = lanes[name]!.channel
                let clock = self.clock
                group.addTask {
                    .finished(await Self.deliver(send, through: channel, retry: retry, clock: clock), key: send.key,
                              channel: name)
                }
            }
        }
        return shortestWait
    }

    /// One call and its classification; nil when the task was cancelled mid-call (shutdown
    /// deadline), so the row is released rather than counted.
    private static func deliver(_ send: ClaimedSend, through channel: any Channel, retry: RetryPolicy,
                                clock: any WallClock) async -> DeliveryRecord? {
        let startedAt = clock.now()
        let started = ContinuousClock.now
        let result = await channel.send(ChannelMessage(idempotencyKey: send.idempotencyKey, channel: send.channel,
                                                       channelKind: send.channelKind, to: send.address, title: send.title,
                                                       text: send.text))
        if Task.isCancelled, case .transient = result { return nil }
        let finishedAt = clock.now()
        let latency = Int(((ContinuousClock.now - started).inSeconds * 1000).rounded())
        var record = DeliveryRecord(key: send.key, outcome: .failed, startedAt: startedAt, finishedAt: finishedAt,
                                    calledGateway: true, latencyMilliseconds: latency, httpStatus: result.httpStatus)
        switch result {
        case .accepted(let providerID, _):
            record.outcome = .sent(providerID: providerID)
        case .transient(let error, _, let retryAfter):
            record.error = error
            let attempts = send.attempts + 1
            if retry.allowsRetry(afterAttempts: attempts) {
                var generator = SystemRandomNumberGenerator()
                let delay = retry.delay(afterAttempt: attempts, retryAfter: retryAfter, using: &generator)
                record.outcome = .retry(at: finishedAt + delay)
            } else {
                record.error = "gave up after \(attempts) attempt\(attempts == 1 ? "" : "s"): \(error)"
            }
        case .permanent(let error, _):
            record.error = error
            record.outcome = send.hasFallback ? .fallback : .failed
        }
        return record
    }

    private func count(_ record: DeliveryRecord, channel: String) {
        totals.add(record.outcome)
        channelTotals[channel, default: Totals()].add(record.outcome)
        if let milliseconds = record.latencyMilliseconds {
            latencies[channel, default: LatencyHistogram()].observe(seconds: Double(milliseconds) / 1000)
        }
        if case .sent = record.outcome { return }
        log.log(record.outcome == .failed ? .warning : .info, "dispatch.\(record.outcome.name)",
                ["row": "\(record.key)", "status": record.httpStatus.map(String.init) ?? "-", "error": record.error ?? "-"])
    }

    /// Writes the waiting outcomes; returns how many it wrote.
    @discardableResult
    private func flush(_ records: inout [DeliveryRecord]) -> Int {
        guard !records.isEmpty else { return 0 }
        do {
            try queue.record(records)
            defer { records.removeAll(keepingCapacity: true) }
            return records.count
        } catch {
            // Kept for the next flush; the leases still protect the rows meanwhile.
            log.error("dispatch.record_failed", ["rows": "\(records.count)", "error": "\(error)"])
            return 0
        }
    }
}
