import Foundation
import HeraldCore

/// Opens the member store a `StoreLocation` names: the one place that knows which
/// backend serves which location.
public enum StoreFactory {
    public enum Access: Sendable {
        /// Creates the store if needed and migrates it to the current schema.
        case readWrite
        /// An existing store at the current schema, for reading only (`preview`, `report`):
        /// nothing is created, migrated or written.
        case readOnly
        /// As `readWrite`, and each commit is on disk before it returns — for what is
        /// acknowledged to someone else (the edge's replies and receipts), which must survive
        /// a power loss, not only a crash of the process.
        case durableWrites
    }

    /// `keys`: the store's encryption keys (`store.key`, `store.previous_key`); a store that
    /// is encrypted refuses to open without them (`StoreUnavailableError`).
    public static func open(_ location: StoreLocation, keys: StoreKeys = .none,
                            access: Access = .readWrite) throws -> any MemberStore {
        let store = try connect(location, access: access)
        try store.attach(keys, at: location.description, readOnly: access == .readOnly)
        return store
    }

    /// The store's connection, its keys not checked: for `StoreCopier`'s target only, which takes
    /// the source's sealed values and list of keys as they are.
    static func connect(_ location: StoreLocation, access: Access) throws -> SQLStore {
        switch location {
        case .sqlite(let path):
            switch access {
            case .readWrite: try SQLStore(path: path)
            case .readOnly: try SQLStore(readingAt: path)
            case .durableWrites: try SQLStore(path: path, durable: true)
            }
        case .postgres(let url):
            // Every commit is on disk before it returns (the server's synchronous_commit, on by default).
            try SQLStore(postgres: url, readOnly: access == .readOnly)
        }
    }
}
