import Foundation
import HeraldCore
import HeraldStore

/// The edge's one writing connection, for what must be committed before it is acknowledged
/// (replies, receipts, unsubscribes): one request at a time writes through it, and each commit
/// is on disk before the answer goes out (`StoreFactory.Access.durableWrites`).
final class StoreWriter: @unchecked Sendable {
    // @unchecked: `store` and `ingester` are only used under `lock`.
    private let lock = NSLock()
    private let store: any MemberStore
    /// Prepared once (its statements), not per callback.
    private let ingester: any EventIngester

    init(location: StoreLocation, defaultTimeZone: TimeZone, clock: any WallClock) throws {
        store = try StoreFactory.open(location, access: .durableWrites)
        ingester = try store.makeEventIngester(defaultTimeZone: defaultTimeZone, clock: clock, batchSize: 10_000)
    }

    func with<Result>(_ body: (any MemberStore) throws -> Result) throws -> Result {
        try lock.withLock { try body(store) }
    }

    /// Ingests `lines` (receipts) on this connection; committed when it returns.
    func ingest(_ lines: [String], sink: any RejectedRowSink) throws -> ImportSummary {
        try lock.withLock { try ingester.ingest(lines: lines, sink: sink) }
    }
}
