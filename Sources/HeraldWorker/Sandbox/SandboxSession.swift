import Foundation
import HeraldCore
import HeraldStore

/// `--sandbox DIR`: the folder's config, triggers and templates, with its members and
/// events loaded into a throwaway store in a temporary folder — deleted when the session
/// ends, so trying things never touches a real store.
public final class SandboxSession {
    public let catalog: Catalog
    public let store: MemberStore
    /// What loading `members.*` and `events.ndjson` did, per file.
    public private(set) var loads: [(file: String, summary: ImportSummary)] = []
    private let temporaryFolder: String

    /// Loads `DIR/herald.json5` (with its triggers and templates), then `DIR/members.csv`
    /// (or `members.ndjson`) and `DIR/events.ndjson` when present. Each file's rejected rows go to the sink made for it.
    public init(folder: String, clock: any WallClock, rejectsSink: (_ file: String) throws -> any RejectedRowSink) throws {
        let configPath = (folder as NSString).appendingPathComponent("herald.json5")
        catalog = try CatalogLoader.load(configPath: configPath)
        temporaryFolder = (NSTemporaryDirectory() as NSString).appendingPathComponent("herald-sandbox-\(UUID().uuidString)")
        store = try MemberStore(path: (temporaryFolder as NSString).appendingPathComponent("sandbox.db"))
        let files = FileManager.default
        let memberFile = ["members.csv", "members.ndjson"].map { (folder as NSString).appendingPathComponent($0) }
            .first { files.fileExists(atPath: $0) }
        guard let memberFile else {
            throw SandboxError(description: "\(folder): expected members.csv or members.ndjson")
        }
        let importer = try MemberImporter(store: store, defaultTimeZone: catalog.config.timeZone)
        loads.append((memberFile, try importer.importMembers(from: try LineReader(path: memberFile),
                                                             format: MemberImporter.format(forPath: memberFile),
                                                             sink: try rejectsSink(memberFile))))
        let eventFile = (folder as NSString).appendingPathComponent("events.ndjson")
        if files.fileExists(atPath: eventFile) {
            let ingester = try EventIngester(store: store, defaultTimeZone: catalog.config.timeZone, clock: clock)
            loads.append((eventFile, try ingester.ingest(from: try LineReader(path: eventFile), sink: try rejectsSink(eventFile))))
        }
    }

    deinit {
        try? FileManager.default.removeItem(atPath: temporaryFolder)
    }
}

/// A sandbox folder that lacks what a sandbox needs.
public struct SandboxError: Error, CustomStringConvertible {
    public var description: String
}
