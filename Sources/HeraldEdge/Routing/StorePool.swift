import Foundation
import HeraldCore
import HeraldStore

/// Read-only store connections for the server's threads: a request borrows one (a connection
/// belongs to one thread at a time) and gives it back; at most one is opened per thread that
/// ever needs one at the same moment.
final class StorePool: @unchecked Sendable {
    // @unchecked: `idle` is only touched under `lock`; a borrowed connection is used by one
    // thread until it is returned.
    private let location: StoreLocation
    private let keys: StoreKeys
    private let lock = NSLock()
    private var idle: [any MemberStore] = []

    init(location: StoreLocation, keys: StoreKeys) {
        self.location = location
        self.keys = keys
    }

    func with<Result>(_ body: (any MemberStore) throws -> Result) throws -> Result {
        let borrowed = try lock.withLock { idle.popLast() } ?? StoreFactory.open(location, keys: keys, access: .readOnly)
        defer { lock.withLock { idle.append(borrowed) } }
        return try body(borrowed)
    }
}
