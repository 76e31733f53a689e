import Foundation
import HeraldCore
@_spi(StoreSQL) import HeraldStore

/// The store backends a suite runs on: `@Test(arguments: StoreBackend.allCases)` runs the
/// same test against the embedded SQLite file and a PostgreSQL database (issue 16), so the
/// two implementations are held to one set of assertions.
public enum StoreBackend: String, CaseIterable, Sendable {
    case sqlite
    case postgres

    /// Where a new, empty store on this backend lives: a file in `folder`, or a database of
    /// its own on the test process's PostgreSQL server.
    public func makeLocation(in folder: TemporaryDirectory, name: String = "h.db") throws -> StoreLocation {
        switch self {
        case .sqlite: .sqlite(path: folder.file(name))
        case .postgres: .postgres(url: try TemporaryPostgres.shared().makeDatabase())
        }
    }

    /// A new store on this backend, opened (and created) for writing.
    @_spi(StoreSQL) public func makeStore(in folder: TemporaryDirectory, name: String = "h.db") throws -> SQLStore {
        try Self.open(makeLocation(in: folder, name: name))
    }

    /// Another connection to the store at `location`.
    @_spi(StoreSQL) public static func open(_ location: StoreLocation, readOnly: Bool = false) throws -> SQLStore {
        switch location {
        case .sqlite(let path): readOnly ? try SQLStore(readingAt: path) : try SQLStore(path: path)
        case .postgres(let url): try SQLStore(postgres: url, readOnly: readOnly)
        }
    }

    /// The config's `store` entry for `location` (what a test writes into its herald.json5).
    public static func configEntry(_ location: StoreLocation) -> String {
        switch location {
        case .sqlite(let path): "store: { sqlite: \"\(path)\" }"
        case .postgres(let url): "store: { postgres: \"\(url)\" }"
        }
    }
}
