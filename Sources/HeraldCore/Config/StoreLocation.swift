/// Where the member store lives, as `store` in the config says: the one value the store
/// factory opens (`StoreFactory.open`). Today the embedded SQLite file; the PostgreSQL
/// backend adds its case here and nothing above the store changes.
public enum StoreLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)

    public var description: String {
        switch self {
        case .sqlite(let path): path
        }
    }
}

extension HeraldConfig {
    /// The store this config names.
    public var store: StoreLocation { .sqlite(path: storePath) }
}
