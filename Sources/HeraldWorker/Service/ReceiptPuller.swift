import Foundation
import HeraldCore
import HeraldDelivery
import HeraldStore

/// Delivery receipts fetched from providers that can be asked (issue 12: until an HTTP
/// endpoint receives them): each provider with `pull_receipts_every` is asked that often, and
/// what it reports is ingested as `delivered` / `undelivered` events by provider id — the
/// same path a receipt file takes. Event ids are derived from provider, message id and
/// status, so a receipt pulled twice is stored once.
///
/// Providers that answer per message (Alibaba's `QuerySendDetails`) are handed the sends they
/// accepted in the last two days that still have no receipt, oldest first.
public actor ReceiptPuller {
    private struct Source {
        var name: String
        var provider: any ReceiptPulling
        var interval: TimeInterval
        var lastPull: Date?
    }

    /// Sends older than this get no more questions.
    static let lookBack: TimeInterval = 2 * 86_400
    static let pendingLimit = 200

    private let store: any MemberStore
    private let ingester: any EventIngester
    private let clock: any WallClock
    private let log: EventLog
    private let redactor: ErrorRedactor
    private var sources: [Source] = []

    /// `redactor` knows the providers' secrets: a provider's error echoing one never reaches the log.
    public init(store location: StoreLocation, keys: StoreKeys = .none, routers: [String: ProviderRouter],
                defaultTimeZone: TimeZone, clock: any WallClock,
                log: EventLog, redactor: ErrorRedactor = ErrorRedactor()) throws {
        store = try StoreFactory.open(location, keys: keys)
        ingester = try store.makeEventIngester(defaultTimeZone: defaultTimeZone, clock: clock, batchSize: 500)
        self.clock = clock
        self.log = log
        self.redactor = redactor
        sources = Self.sources(routers)
    }

    private static func sources(_ routers: [String: ProviderRouter]) -> [Source] {
        var seen: Set<String> = []
        return routers.keys.sorted().flatMap { routers[$0]!.providers }.compactMap { provider in
            guard let pulling = provider.channel as? any ReceiptPulling, let every = pulling.receiptPullInterval,
                  seen.insert(pulling.name).inserted else { return nil }
            return Source(name: pulling.name, provider: pulling, interval: TimeInterval(every.seconds))
        }
    }

    /// A reloaded config's providers; pull times are kept for providers still there.
    public func replace(routers: [String: ProviderRouter]) {
        let old = Dictionary(sources.map { ($0.name, $0.lastPull) }, uniquingKeysWith: { first, _ in first })
        sources = Self.sources(routers).map { source in
            var kept = source
            kept.lastPull = old[source.name] ?? nil
            return kept
        }
    }

    public var isEmpty: Bool { sources.isEmpty }

    /// The shortest interval among the providers that pull; nil when none does.
    public var shortestInterval: TimeInterval? { sources.map(\.interval).min() }

    /// Asks every provider whose interval has passed. Returns how many receipts were new.
    @discardableResult
    public func pullDue() async -> Int {
        var applied = 0
        for index in sources.indices {
            let now = clock.now()
            if let last = sources[index].lastPull, now.timeIntervalSince(last) < sources[index].interval { continue }
            sources[index].lastPull = now
            applied += await pull(sources[index])
        }
        return applied
    }

    private func pull(_ source: Source) async -> Int {
        let pending: [PendingReceipt]
        do {
            pending = source.provider.pullsPerMessage ? try awaitingReceipts(of: source.name) : []
        } catch {
            log.storeProblem("receipts.store_failed", error, busyEvent: "receipts.store_busy", ["provider": source.name])
            return 0
        }
        switch await source.provider.pullReceipts(pending: pending) {
        case .failure(let failure):
            log.warning("receipts.pull_failed", ["provider": source.name, "error": redactor.reduce(failure.message)])
            return 0
        case .success(let receipts):
            guard !receipts.isEmpty else { return 0 }
            let lines = receipts.map { receipt in
                let status = receipt.delivered ? "delivered" : "undelivered"
                return JSONOutput.object([
                    ("id", .string("receipt:\(source.name):\(receipt.providerID):\(status)")), ("type", .string(status)),
                    ("provider_id", .string(receipt.providerID)),
                    ("at", .string(InstantFormatter.utcString(from: receipt.at))),
                    ("detail", .string(String(receipt.detail.prefix(200)))),
                ]).rendered()
            }
            let sink = CountingRowSink()
            do {
                let summary = try ingester.ingest(lines: lines, sink: sink)
                log.info("receipts.pulled", ["provider": source.name, "received": "\(receipts.count)",
                                             "new": "\(summary.inserted)", "unmatched": "\(sink.warnings)"])
                return summary.inserted
            } catch {
                log.storeProblem("receipts.store_failed", error, busyEvent: "receipts.store_busy", ["provider": source.name])
                return 0
            }
        }
    }

    private func awaitingReceipts(of provider: String) throws -> [PendingReceipt] {
        try store.sendsAwaitingReceipt(provider: provider, since: clock.now() - Self.lookBack, limit: Self.pendingLimit)
    }
}
