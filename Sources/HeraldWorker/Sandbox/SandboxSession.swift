import Foundation
import HeraldCore
import HeraldStore

/// `--sandbox DIR`: the folder's config, triggers and templates, with its members and
/// events loaded into a throwaway store in a temporary folder — deleted when the session
/// ends, so trying things never touches a real store.
public final class SandboxSession {
    public let catalog: Catalog
    public let store: any MemberStore
    /// What loading `members.*` and `events.ndjson` did, per file.
    public private(set) var loads: [(file: String, summary: ImportSummary)] = []
    private let temporaryFolder: String
    private let eventFile: String?
    private let clock: any WallClock
    /// The keys the throwaway store is sealed with, for whatever else opens it (the run's worker).
    public let storeKeys: StoreKeys

    /// Loads `DIR/herald.json5` (with its triggers and templates), then `DIR/members.csv`
    /// (or `members.ndjson`) and the events of `DIR/events.ndjson` up to `horizon` (the
    /// sandbox's `at`: what happened before the simulated instant; nil: all). Each file's
    /// rejected rows go to the sink made for it. `store`: an empty store to load instead of
    /// the throwaway SQLite file (the tests' PostgreSQL database).
    public init(folder: String, clock: any WallClock, horizon: Date?, store location: StoreLocation? = nil,
                rejectsSink: (_ file: String) throws -> any RejectedRowSink) throws {
        self.clock = clock
        let configPath = (folder as NSString).appendingPathComponent("herald.json5")
        catalog = try CatalogLoader.load(configPath: configPath)
        temporaryFolder = (NSTemporaryDirectory() as NSString).appendingPathComponent("herald-sandbox-\(UUID().uuidString)")
        // With the sandbox config's key (its fixed dev key): the preview reads what run would.
        storeKeys = try StoreKeys(resolving: catalog.config.storeKey)
        store = try StoreFactory.open(location
            ?? .sqlite(path: (temporaryFolder as NSString).appendingPathComponent("sandbox.db")), keys: storeKeys)
        let files = FileManager.default
        let memberFile = ["members.csv", "members.ndjson"].map { (folder as NSString).appendingPathComponent($0) }
            .first { files.fileExists(atPath: $0) }
        guard let memberFile else {
            throw SandboxError(description: "\(folder): expected members.csv or members.ndjson")
        }
        let importer = try store.makeMemberImporter(defaultTimeZone: catalog.config.timeZone)
        loads.append((memberFile, try importer.importMembers(from: try LineReader(path: memberFile),
                                                             format: MemberFileFormat(forPath: memberFile),
                                                             sink: try rejectsSink(memberFile))))
        let events = (folder as NSString).appendingPathComponent("events.ndjson")
        eventFile = files.fileExists(atPath: events) ? events : nil
        if let eventFile {
            let ingester = try store.makeEventIngester(defaultTimeZone: catalog.config.timeZone, clock: clock)
            ingester.horizon = horizon
            loads.append((eventFile, try ingester.ingest(from: try LineReader(path: eventFile), sink: try rejectsSink(eventFile))))
        }
    }

    /// Ingests the events after the horizon — clicks, redeems, receipts, purchases that happen
    /// once the simulated sends are out. Rows the first pass rejected are not reported again.
    @discardableResult
    public func ingestLaterEvents(warnings: @escaping (_ line: Int, _ message: String) -> Void) throws -> ImportSummary? {
        guard let eventFile else { return nil }
        let ingester = try store.makeEventIngester(defaultTimeZone: catalog.config.timeZone, clock: clock)
        let summary = try ingester.ingest(from: try LineReader(path: eventFile), sink: WarningsOnly(warn: warnings))
        loads.append((eventFile + " (after the simulated day)", summary))
        return summary
    }

    deinit {
        try? FileManager.default.removeItem(atPath: temporaryFolder)
    }
}

/// Passes warnings on and drops rejects: the second pass over a file whose rejects were reported.
private final class WarningsOnly: RejectedRowSink {
    let forward: (Int, String) -> Void

    init(warn: @escaping (Int, String) -> Void) { forward = warn }

    func header(raw: [UInt8]) throws {}
    func reject(_ rejection: RowRejection, raw: [UInt8]) throws {}
    func warn(line: Int, message: String) { forward(line, message) }
}

/// A sandbox folder that lacks what a sandbox needs.
public struct SandboxError: Error, CustomStringConvertible {
    public var description: String
}
