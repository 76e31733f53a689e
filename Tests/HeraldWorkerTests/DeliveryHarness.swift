import Foundation
import HeraldCore
import HeraldDelivery
@_spi(StoreSQL) import HeraldStore
@_spi(StoreSQL) import HeraldTestSupport
import HeraldWorker
import Synchronization

/// A planned outbox in front of a loopback gateway: members silent for months, one
/// inactivity trigger, `sms` and `push` as http channels to the gateway, and a manual clock.
final class DeliveryHarness {
    static let header = "id,name,phone,push_token,email,tier,timezone,registered_at,last_active_at,consent_sms,consent_push,consent_email\n"

    let fixture: EvaluationFixture
    let store: SQLStore
    let clock: ManualWallClock
    let logLines = LogLines()
    /// When the dispatcher started each call (the moment it handed the message to the channel).
    let callStarts = CallStarts()
    /// Its own connection pool: gateways of other tests come and go on reused ports, and a
    /// pooled connection to a gone one would make this test's first call fail.
    let transport = CurlTransport()

    /// `members`: CSV rows after the header (`silent` members by default); `trigger`: extra trigger fields.
    /// The default channels time out after `timeout`: 5 s, so that a loaded machine never turns
    /// an answer into a timeout; tests of timeouts ask for 1 s.
    init(gateway: LoopbackGateway, backend: StoreBackend = .sqlite, members: String? = nil, trigger: String = "", channels: String? = nil, timeout: String = "5s",
         dispatch: String = "max_attempts: 3, backoff: \"60s\", lease: \"5m\"", at: String = "2026-03-10 12:00:00",
         extraConfig: String = "", templates: [String: String] = EvaluationFixture.plainTemplates,
         extraTriggers: [String: String] = [:]) throws {
        let channelText = channels ?? """
            sms: { adapter: "http", url: "\(gateway.url)", timeout: "\(timeout)", concurrency: 4 },
            push: { adapter: "http", url: "\(gateway.url)", timeout: "\(timeout)", concurrency: 4 },
            """
        fixture = try EvaluationFixture(config: """
            {
              store: { sqlite: "h.db" },
              timezone: "Asia/Shanghai",
              channels: { \(channelText) },
              sms: { signature: "【品牌】", opt_out: "回T退订" },
              dispatch: { \(dispatch) },
              \(extraConfig)
            }
            """, triggers: ["silent": EvaluationFixture.trigger("silent", kind: "inactivity", "params: { days: 30 }, \(trigger)")]
                .merging(extraTriggers) { first, _ in first }, templates: templates)
        store = try fixture.on(backend).store(members: Self.header + (members ?? Self.silentMembers(3)))
        clock = ManualWallClock(fixture.at(at))
    }

    deinit {
        transport.close()
    }

    static func silentMembers(_ count: Int) -> String {
        (1...count).map { "M\($0),,138000000\(String(format: "%02d", $0)),tok-\($0),,,,2024-01-01,2025-12-01,yes,yes," }
            .joined(separator: "\n")
    }

    func catalog() throws -> Catalog { try fixture.catalog() }

    /// Evaluates at the clock's now and writes the outbox.
    @discardableResult
    func plan() throws -> OutboxWriteSummary {
        var codes = SendCodes.seeded(7)
        let evaluation = try Scheduler(catalog: try catalog(), store: store).evaluate(at: clock.now(), codes: &codes)
        return try SQLOutboxWriter.write(evaluation, to: store)
    }

    /// `secrets`: the environment `{{ secret.NAME }}` reads from; the dispatcher's redactor knows them.
    func dispatcher(secrets: [String: String] = [:]) throws -> Dispatcher {
        let catalog = try catalog()
        let source = SecretSource(environment: secrets)
        let starts = callStarts
        let context = ChannelContext(secrets: source, clock: clock, transport: transport)
        let routers = try ChannelFactory.makeRouters(catalog.config, context: context,
                                                     wrap: { RecordingChannel(wrapping: $0, starts: starts) })
        let lines = logLines
        return try Dispatcher(store: store.location, catalog: catalog, routers: routers,
                              issuers: try CouponIssuerFactory.makeIssuers(catalog, context: context), clock: clock,
                              log: EventLog(minimum: .debug) { lines.append($0) },
                              redactor: ErrorRedactor(secrets: ChannelFactory.secretValues(catalog, secrets: source)))
    }

    /// `dispatcher.drain()` with a hard deadline: past `limit` the dispatcher is stopped (its
    /// calls end within their timeouts, so the drain then returns). Whether it finished in time.
    func drain(_ dispatcher: Dispatcher, within limit: Duration = .seconds(60)) async -> Bool {
        let overran = Mutex(false)
        let watchdog = Task {
            try await Task.sleep(for: limit)
            overran.withLock { $0 = true }
            await dispatcher.stop()
        }
        await dispatcher.drain()
        watchdog.cancel()
        return !overran.withLock { $0 }
    }

    /// Delivers until every row is final: drains, then moves the clock to the next due row
    /// (retries, deferrals), with short real pauses for a channel the gateway paused. False
    /// when rows are still open after `limit` of real time.
    func deliverUntilSettled(_ dispatcher: Dispatcher, within limit: Duration = .seconds(60)) async throws -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            guard await drain(dispatcher, within: deadline - ContinuousClock.now) else { return false }
            if try openRows() == 0 { return true }
            if let due = try await dispatcher.nextDueAt(), due > clock.now() { clock.set(due) }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return try openRows() == 0
    }

    func openRows() throws -> Int64 {
        try store.database.scalarInteger("SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')") ?? -1
    }

    /// Every error text the store holds for the outbox and its attempts.
    func storedErrors() throws -> [String] {
        var errors: [String] = []
        for sql in ["SELECT last_error FROM outbox WHERE last_error IS NOT NULL",
                    "SELECT error FROM delivery_attempts WHERE error IS NOT NULL"] {
            let statement = try store.database.prepare(sql)
            while try statement.step() { errors.append(statement.text(at: 0) ?? "") }
        }
        return errors
    }

    struct Row: Equatable {
        var member: String
        var channel: String
        var status: String
        var attempts: Int
        var nextAttemptAt: Int64
        var lastError: String?
    }

    func rows() throws -> [Row] {
        let statement = try store.database.prepare("""
            SELECT m.id, o.channel, o.status, o.attempts, o.next_attempt_at, o.last_error
            FROM outbox o JOIN members m ON m.key = o.member_key ORDER BY m.id
            """)
        var rows: [Row] = []
        while try statement.step() {
            rows.append(Row(member: statement.text(at: 0)!, channel: statement.text(at: 1)!, status: statement.text(at: 2)!,
                            attempts: Int(statement.integer(at: 3)!), nextAttemptAt: statement.integer(at: 4)!,
                            lastError: statement.text(at: 5)))
        }
        return rows
    }

    /// `outcome` words of a member's attempts, in order.
    func attemptOutcomes(member: String) throws -> [String] {
        let statement = try store.database.prepare("""
            SELECT a.outcome FROM delivery_attempts a JOIN outbox o ON o.key = a.outbox_key JOIN members m ON m.key = o.member_key
            WHERE m.id = ? ORDER BY a.attempt
            """)
        try statement.bind([.text(member)])
        var outcomes: [String] = []
        while try statement.step() { outcomes.append(statement.text(at: 0)!) }
        return outcomes
    }
}

/// Call start instants, in order.
final class CallStarts: Sendable {
    private let instants = Mutex<[ContinuousClock.Instant]>([])

    func append(_ instant: ContinuousClock.Instant) { instants.withLock { $0.append(instant) } }

    var all: [ContinuousClock.Instant] { instants.withLock { $0 } }
}

/// A channel that notes when each call starts, then makes it.
private struct RecordingChannel: Channel {
    let wrapping: any Channel
    let starts: CallStarts

    var name: String { wrapping.name }

    func send(_ message: ChannelMessage) async -> ChannelResult {
        starts.append(.now)
        return await wrapping.send(message)
    }
}

/// Log lines kept for assertions.
final class LogLines: Sendable {
    private let lines = Mutex<[String]>([])

    func append(_ line: String) { lines.withLock { $0.append(line) } }

    var all: [String] { lines.withLock { $0 } }
}
