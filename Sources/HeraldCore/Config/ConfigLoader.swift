import Foundation

/// Reads `herald.json5` into a `HeraldConfig`. Every problem is a `Diagnostic` naming
/// file:line:column and what was expected; all problems are collected, not only the first.
public enum ConfigLoader {
    public struct Failure: Error, CustomStringConvertible {
        public var diagnostics: [Diagnostic]

        public init(diagnostics: [Diagnostic]) {
            self.diagnostics = diagnostics
        }

        public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
    }

    /// `explicitPath` when given; else `./herald.json5`, else `/etc/herald/herald.json5`.
    public static func locate(explicitPath: String?, fileManager: FileManager = .default) -> String? {
        if let explicitPath { return explicitPath }
        return ["herald.json5", "/etc/herald/herald.json5"].first { fileManager.fileExists(atPath: $0) }
    }

    public static func load(path: String) throws -> HeraldConfig {
        let log = DiagnosticLog()
        guard let config = load(path: path, log: log), log.isEmpty else { throw Failure(diagnostics: log.diagnostics) }
        return config
    }

    public static func parse(_ text: String, path: String) throws -> HeraldConfig {
        let log = DiagnosticLog()
        guard let config = parse(text, path: path, log: log), log.isEmpty else { throw Failure(diagnostics: log.diagnostics) }
        return config
    }

    /// Reads the file, adding its problems to `log`; nil when it cannot be read at all.
    public static func load(path: String, log: DiagnosticLog) -> HeraldConfig? {
        guard let text = SourceFile.read(path, what: "config file", log: log) else { return nil }
        return parse(text, path: path, log: log)
    }

    /// Parses, adding every problem to `log`. Returns a config (with defaults where a value
    /// was bad) whenever the store is known, so that later checks can still run.
    public static func parse(_ text: String, path: String, log: DiagnosticLog) -> HeraldConfig? {
        guard let root = SourceFile.parseJSON5(text, path: path, log: log),
              let reader = JSONObjectReader(root, file: path, allowedKeys: HeraldConfig.knownKeys, log: log)
        else { return nil }
        reader.finish()
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        func resolve(_ file: String) -> String {
            file.hasPrefix("/") ? file : folder.appendingPathComponent(file).standardizedFileURL.path
        }

        let location = readStore(reader, resolve: resolve)
        var config = HeraldConfig(sourcePath: path, store: location ?? .sqlite(path: resolve("herald.db")))
        config.storeKey = readStoreKeys(reader, file: path)

        if let value = reader["timezone"] {
            if let identifier = value.stringValue, let zone = TimeZone.iana(identifier) {
                config.timeZone = zone
            } else {
                reader.expected("timezone", "an IANA time zone such as \"Asia/Shanghai\"", found: value)
            }
        }
        if let value = reader["locale"] {
            if let text = value.stringValue, let normalized = MemberRecordDecoder.normalizedLocale(text) {
                config.locale = normalized
            } else {
                reader.expected("locale", "a language tag such as \"zh-CN\"", found: value)
            }
        }
        if let folder = reader.string("triggers") { config.triggersFolder = resolve(folder) }
        if let folder = reader.string("templates") { config.templatesFolder = resolve(folder) }
        if let value = reader["quiet_hours"] {
            if case .null = value.kind {
                config.quietHours = nil
            } else if let text = value.stringValue, let range = LocalTimeRange(text) {
                config.quietHours = range
            } else {
                reader.expected("quiet_hours", LocalTimeRange.expectation(for: value.stringValue ?? "") + " (or null for none)",
                                found: value)
            }
        }
        for item in reader.array("caps") ?? [] {
            guard let cap = JSONObjectReader(item, file: path, path: "caps[]", allowedKeys: ["max", "per"], log: log) else { continue }
            cap.finish()
            if let max = cap.integer("max", required: true, in: SettingRange.capMax),
               let per = cap.timeSpan("per", required: true, in: SettingRange.capPer) {
                config.caps.append(FrequencyCap(max: max, per: per))
            }
        }
        readDelivery(reader, into: &config)
        if let sms = reader.object("sms", allowedKeys: ["signature", "opt_out", "max_segments"]) {
            sms.finish()
            config.sms = SMSSettings(signature: sms.string("signature"), optOut: sms.string("opt_out"),
                                     maxSegments: sms.integer("max_segments", in: SettingRange.maxSegments))
        }
        if let links = reader.object("links", allowedKeys: ["base", "key_env", "fallback"]) {
            links.finish()
            func url(_ key: String, required: Bool) -> String? {
                guard let text = links.string(key, required: required) else { return nil }
                // No spaces, controls or brackets: it goes into messages, redirects and e-mail headers.
                let unsafe = text.unicodeScalars.contains {
                    $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F || "<>\"".unicodeScalars.contains($0)
                }
                guard text.hasPrefix("https://") || text.hasPrefix("http://"), !unsafe else {
                    links.expected(key, "an http(s) URL without spaces or brackets, such as \"https://s.example.cn/\"",
                                   found: links[key]!)
                    return nil
                }
                return text
            }
            if let base = url("base", required: true) {
                config.links = LinkSettings(base: base, keyEnvironmentVariable: links.string("key_env"),
                                            fallback: url("fallback", required: false))
            }
        }
        if let retention = reader.object("retention", allowedKeys: RetentionPolicy.keys) {
            retention.finish()
            config.retention = RetentionPolicy(events: retention.timeSpan("events", in: SettingRange.retainEvents),
                                               attempts: retention.timeSpan("attempts", in: SettingRange.retainAttempts),
                                               outbox: retention.timeSpan("outbox", in: SettingRange.retainOutbox))
            // Caps count the sends of their window: those must still be there.
            if let outbox = config.retention.outbox, let longest = config.caps.map(\.per).max(), longest > outbox {
                retention.problem(at: retention["outbox"]!.position, "retention.outbox: expected at least the longest "
                                  + "cap's window (\(longest)), found \(outbox): the cap could not see the sends it counts")
            }
        }
        if let value = reader["segments"] {
            if let members = value.members {
                config.segments = SegmentTable(definitions: members.map { ($0.key, $0.value) }, configPath: path)
                    .resolveAll(log: log)
            } else {
                reader.expected("segments", "an object of named audience filters, such as { 高价值: { field: \"total_spent\", gte: 5000 } }",
                                found: value)
            }
        }
        if let every = reader.timeSpan("evaluate_every", in: SettingRange.evaluateEvery) {
            config.evaluateEvery = every
        }
        if let dispatch = reader.object("dispatch", allowedKeys: DispatchSettings.keys) {
            readDispatch(dispatch, into: &config)
        }
        if let sandbox = reader.object("sandbox", allowedKeys: ["at"]) {
            sandbox.finish()
            if let text = sandbox.string("at") {
                if let instant = InstantParser(defaultTimeZone: config.timeZone).parse(text) {
                    config.sandboxAt = instant
                } else {
                    sandbox.expected("at", InstantParser.expectedFormat, found: sandbox["at"]!)
                }
            }
        }
        if let serve = reader.object("serve", allowedKeys: ["listen", "callback_key", "callbacks_from"]) {
            serve.finish()
            config.serveListen = serve.string("listen")
            config.serveCallbackKey = serve.string("callback_key")
            config.serveCallbacksFrom = readAddressRanges(serve, "callbacks_from")
        }
        if case .sqlite(let file) = config.store { checkStorePath(file, reader: reader) }
        checkLease(config, reader: reader)
        return location == nil ? nil : config
    }

    /// A non-empty list of addresses or CIDR networks, each checked where it stands.
    private static func readAddressRanges(_ reader: JSONObjectReader, _ key: String) -> [IPAddressRange]? {
        guard let items = reader.array(key) else { return nil }
        let expected = "an IP address or network such as \"203.0.113.0/24\""
        var ranges: [IPAddressRange] = []
        for item in items {
            guard let text = item.stringValue, let range = IPAddressRange(text) else {
                reader.problem(at: item.position, "\(reader.name(key)): expected \(expected), found \(JSONObjectReader.describe(item))")
                continue
            }
            ranges.append(range)
        }
        if items.isEmpty { reader.expected(key, "at least one address (leave the key out to allow any)", found: reader[key]!) }
        return ranges
    }

    private static func readDispatch(_ dispatch: JSONObjectReader, into config: inout HeraldConfig) {
        dispatch.finish()
        let settings = SettingRange.self
        if let value = dispatch.integer("concurrency", in: settings.concurrency) { config.dispatch.concurrency = value }
        if let value = dispatch.integer("max_attempts", in: settings.maxAttempts) {
            config.dispatch.maxAttempts = value
        }
        if let value = dispatch.timeSpan("backoff", in: SettingRange.backoff) { config.dispatch.backoff = value }
        if let value = dispatch.timeSpan("shutdown_timeout", in: SettingRange.shutdownTimeout) {
            config.dispatch.shutdownTimeout = value
        }
        if let value = dispatch.timeSpan("max_deferral", in: settings.maxDeferral) {
            config.dispatch.maxDeferral = value
        }
        if let value = dispatch.timeSpan("lease", in: SettingRange.lease) { config.dispatch.lease = value }
    }

    /// A lease must outlast any one call, or another worker could take a row over mid-call.
    private static func checkLease(_ config: HeraldConfig, reader: JSONObjectReader) {
        let leasePosition = reader.object("dispatch", allowedKeys: DispatchSettings.keys)?["lease"]?.position
        for channel in config.channels {
            for provider in channel.providers where provider.timeout >= config.dispatch.lease {
                let position = leasePosition ?? provider.entry["timeout"]?.position ?? provider.position ?? reader.position
                let setting = provider.isInline ? "channels.\(channel.name)" : "providers.\(provider.name)"
                reader.problem(at: position, "dispatch.lease (\(config.dispatch.lease)) must be longer than "
                                             + "\(setting).timeout (\(provider.timeout))")
            }
        }
    }

    /// `store: { sqlite: "file" }` or `store: { postgres: "postgresql://…" }`; nil (and a
    /// problem) when neither is given right.
    private static func readStore(_ reader: JSONObjectReader, resolve: (String) -> String) -> StoreLocation? {
        guard let store = reader.object("store", allowedKeys: storeKeys) else {
            if reader["store"] == nil { reader.missing("store", "store: { sqlite: \"herald.db\" }") }
            return nil
        }
        store.finish()
        if store["sqlite"] != nil && store["postgres"] != nil {
            store.problem(at: store.keyPosition("postgres"), "store: expected one of sqlite or postgres, found both")
            return nil
        }
        if let url = store.string("postgres") {
            guard case .postgres = StoreLocation(parsing: url) else {
                store.problem(at: store["postgres"]!.position,
                              "store.postgres: expected a URL such as \"postgresql://herald@db.internal/herald\", "
                                + "found \"\(StoreLocation.redacted(url))\"")
                return nil
            }
            return .postgres(url: url)
        }
        guard let file = store.string("sqlite") else {
            if store["postgres"] == nil { store.missing("sqlite", "a file path such as \"herald.db\"") }
            return nil
        }
        guard !file.isEmpty else {
            store.problem(at: store["sqlite"]!.position, "store.sqlite: expected a file path, found \"\"")
            return nil
        }
        return .sqlite(path: resolve(file))
    }

    private static let storeKeys = ["sqlite", "postgres", "key", "previous_key"]

    /// `store.key` and `store.previous_key` as written (usually `{{ secret.NAME }}`): resolved
    /// and decoded when the store is opened, where the secrets are.
    private static func readStoreKeys(_ reader: JSONObjectReader, file: String) -> StoreKeySetting? {
        guard let store = reader.object("store", allowedKeys: storeKeys) else { return nil }
        func setting(_ name: String) -> StoreKeySetting.Text? {
            guard let text = store.string(name) else { return nil }
            return StoreKeySetting.Text(text: text, diagnosticFile: file, position: store[name]?.position)
        }
        guard let key = setting("key") else {
            if store["previous_key"] != nil {
                store.problem(at: store.keyPosition("previous_key"), "store.previous_key: expected store.key too "
                              + "(the previous key is for a rotation to a new store.key)")
            }
            return nil
        }
        return StoreKeySetting(key: key, previousKey: setting("previous_key"))
    }

    /// The store must be a writable file, or one that can be created.
    private static func checkStorePath(_ path: String, reader: JSONObjectReader) {
        let position = reader.object("store", allowedKeys: storeKeys)?["sqlite"]?.position
        if let problem = WritableFile.problem(path) {
            reader.problem(at: position ?? reader.position, "store.sqlite: \(problem)")
        }
    }
}
