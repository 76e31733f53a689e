import Foundation
import HeraldCore
import HeraldStore

/// The edge's one writing connection, for what must be committed before it is acknowledged
/// (replies, receipts, unsubscribes): one request at a time writes through it, and each commit
/// is on disk before the answer goes out (`StoreFactory.Access.durableWrites`).
final class StoreWriter: @unchecked Sendable {
    // @unchecked: `store` is only used under `lock`.
    private let lock = NSLock()
    private let store: any MemberStore

    init(location: StoreLocation) throws {
        store = try StoreFactory.open(location, access: .durableWrites)
    }

    func with<Result>(_ body: (any MemberStore) throws -> Result) throws -> Result {
        try lock.withLock { try body(store) }
    }
}
