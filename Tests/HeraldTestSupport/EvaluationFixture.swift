import Foundation
import HeraldCore
@_spi(StoreSQL) import HeraldStore
import HeraldWorker

/// A throwaway Herald folder for evaluation tests: a config, trigger files, templates and
/// a store loaded from CSV / NDJSON text, evaluated with the real `Scheduler`.
public final class EvaluationFixture {
    public let folder: TemporaryDirectory
    public let zone = TimeZone(identifier: "Asia/Shanghai")!

    /// sms, push and email channels; quiet hours 21:00-08:00; `configExtra` is spliced into the config object.
    public static func config(_ configExtra: String = "") -> String {
        """
        {
          store: { sqlite: "h.db" },
          timezone: "Asia/Shanghai",
          channels: {
            sms: { adapter: "log", path: "sms.jsonl" },
            push: { adapter: "log", path: "push.jsonl" },
            email: { adapter: "log", path: "email.jsonl" },
          },
          sms: { signature: "【品牌】", opt_out: "回T退订", max_segments: 3 },
          links: { base: "https://s.example.cn/" },
          \(configExtra)
        }
        """
    }

    /// A plain template `t` for every channel, usable by every trigger kind.
    public static let plainTemplates = [
        "t/sms.zh-CN.txt": "{{ member.name | default: \"会员\" }}您好",
        "t/push.zh-CN.txt": "title: 标题\n\n{{ member.name | default: \"会员\" }}您好",
        "t/email.zh-CN.txt": "subject: 主题\n\n正文",
    ]

    /// A trigger file: `fields` is the JSON5 between the braces after id, kind and template;
    /// `channels: ['sms']` unless `fields` names channels itself.
    public static func trigger(_ id: String, kind: String, _ fields: String = "") -> String {
        let channels = fields.contains("channels:") ? "" : "channels: [\"sms\"], "
        return "{ id: \"\(id)\", kind: \"\(kind)\", template: \"t\", \(channels)\(fields) }"
    }

    public init(config: String = EvaluationFixture.config(), triggers: [String: String],
                templates: [String: String] = EvaluationFixture.plainTemplates) throws {
        folder = try TemporaryDirectory()
        try folder.write("herald.json5", config)
        try FileManager.default.createDirectory(atPath: folder.file("Triggers"), withIntermediateDirectories: true)
        for (name, text) in triggers { try folder.write("Triggers/\(name).json5", text) }
        for (path, text) in templates {
            let file = folder.file("MessageTemplates/\(path)")
            try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            try folder.write("MessageTemplates/\(path)", text)
        }
        if templates.isEmpty {
            try FileManager.default.createDirectory(atPath: folder.file("MessageTemplates"), withIntermediateDirectories: true)
        }
    }

    public var configPath: String { folder.file("herald.json5") }

    /// Loads the catalog; throws `ConfigLoader.Failure` listing every problem.
    public func catalog() throws -> Catalog { try CatalogLoader.load(configPath: configPath) }

    /// Every problem `herald validate` would print, as `file-name:line:column: message` (file names without folders).
    public func problems() -> [String] {
        let log = DiagnosticLog()
        _ = CatalogLoader.load(configPath: configPath, log: log)
        return log.diagnostics.map { ($0.description as NSString).replacingOccurrences(of: folder.path + "/", with: "") }
    }

    /// The backend `store(members:events:)` makes its stores on.
    public var backend = StoreBackend.sqlite

    /// The fixture, making its stores on `backend` from now on.
    public func on(_ backend: StoreBackend) -> EvaluationFixture {
        self.backend = backend
        return self
    }

    /// A fresh store with `members` (CSV with a header) and `events` (NDJSON) loaded.
    @_spi(StoreSQL) public func store(members: String, events: String = "") throws -> SQLStore {
        let store = try backend.makeStore(in: folder, name: "h-\(UUID().uuidString).db")
        let sink = CollectingSink()
        let importer = try store.makeMemberImporter(defaultTimeZone: zone)
        _ = try importer.importMembers(from: LineReader(path: try folder.write("m-\(UUID().uuidString).csv", members)),
                                       format: .csv, sink: sink)
        if !events.isEmpty {
            let ingester = try store.makeEventIngester(defaultTimeZone: zone,
                                                       clock: ManualWallClock(Date(timeIntervalSince1970: 0)))
            _ = try ingester.ingest(from: LineReader(path: try folder.write("e-\(UUID().uuidString).ndjson", events)), sink: sink)
        }
        guard sink.rejections.isEmpty else { throw FixtureError(description: "fixture rows rejected: \(sink.reasons)") }
        return store
    }

    /// Evaluates every trigger at `instant` (local text in Shanghai, or ISO with an offset).
    public func evaluate(_ store: any MemberStore, at instant: String, memberID: String? = nil) throws -> Evaluation {
        var codes = SendCodes.seeded(42)
        return try Scheduler(catalog: try catalog(), store: store).evaluate(at: at(instant), memberID: memberID, codes: &codes)
    }

    public func at(_ text: String) -> Date { InstantParser(defaultTimeZone: zone).parse(text)! }

    public struct FixtureError: Error, CustomStringConvertible {
        public var description: String
    }
}

extension Evaluation {
    /// `trigger member` of each planned send, for compact assertions.
    public var plannedPairs: [String] { planned.map { "\($0.triggerID) \($0.memberID)" } }

    /// `trigger member reason` of each suppression.
    public var suppressedTriples: [String] { suppressed.map { "\($0.triggerID) \($0.memberID) \($0.reason.rawValue)" } }
}
