import Foundation
import HeraldCore
import HeraldDelivery
import HeraldStore

/// Provider access tokens kept in the store (`provider_tokens`), so every worker on it uses
/// the same WeChat token instead of each fetching its own (which would end the others').
/// One connection of its own, opened at first use; a store that cannot be read or written
/// only costs a token request (logged), never a send.
final class StoreTokens: SharedTokenStore, @unchecked Sendable {
    // @unchecked: `store` is opened and used under `lock` only.
    private let location: StoreLocation
    private let keys: StoreKeys
    private let clock: any WallClock
    private let log: EventLog
    private let lock = NSLock()
    private var store: (any MemberStore)?

    init(location: StoreLocation, keys: StoreKeys, clock: any WallClock, log: EventLog) {
        self.location = location
        self.keys = keys
        self.clock = clock
        self.log = log
    }

    func token(for key: String) -> SharedToken? {
        lock.withLock {
            do {
                return try connection().sharedToken(for: key)
            } catch {
                log.storeProblem("tokens.read_failed", error, busyEvent: "tokens.store_busy")
                return nil
            }
        }
    }

    func save(_ token: SharedToken, for key: String) {
        lock.withLock {
            do {
                try connection().saveSharedToken(token, for: key, at: clock.now())
            } catch {
                log.storeProblem("tokens.write_failed", error, busyEvent: "tokens.store_busy")
            }
        }
    }

    private func connection() throws -> any MemberStore {
        if let store { return store }
        let opened = try StoreFactory.open(location, keys: keys)
        store = opened
        return opened
    }
}
