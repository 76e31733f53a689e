import Foundation

/// `herald.json5` (SPEC 1.1), read and checked. Paths are absolute (resolved against the
/// config file's folder); durations and time ranges are parsed values.
public struct HeraldConfig: Sendable {
    /// The file it was read from (for messages), and the folder relative paths resolve against.
    public var sourcePath: String
    public var storePath: String
    public var timeZone: TimeZone
    public var locale: String
    public var triggersFolder: String
    public var templatesFolder: String
    /// No `marketing` send is scheduled inside these hours (member local time); nil: none.
    public var quietHours: LocalTimeRange?
    public var caps: [FrequencyCap]
    /// In the order the file lists them.
    public var channels: [ChannelConfig]
    public var sms: SMSSettings
    public var links: LinkSettings?
    public var evaluateEvery: TimeSpan
    public var dispatch: DispatchSettings
    /// The evaluation instant `preview --sandbox` uses when `--at` is not given.
    public var sandboxAt: Date?

    public init(sourcePath: String, storePath: String, timeZone: TimeZone = TimeZone(identifier: "Asia/Shanghai")!,
                locale: String = "zh-CN") {
        self.sourcePath = sourcePath
        self.storePath = storePath
        self.timeZone = timeZone
        self.locale = locale
        let folder = URL(fileURLWithPath: sourcePath).deletingLastPathComponent()
        triggersFolder = folder.appendingPathComponent("Triggers").standardizedFileURL.path
        templatesFolder = folder.appendingPathComponent("MessageTemplates").standardizedFileURL.path
        quietHours = LocalTimeRange("21:00-08:00")
        caps = []
        channels = []
        sms = SMSSettings()
        evaluateEvery = TimeSpan(seconds: 60)
        dispatch = DispatchSettings()
    }

    public func channel(named name: String) -> ChannelConfig? { channels.first { $0.name == name } }

    /// Top-level keys SPEC 1.1 defines.
    public static let knownKeys = [
        "store", "timezone", "locale", "triggers", "templates", "quiet_hours", "caps", "channels", "sms", "links",
        "evaluate_every", "dispatch", "sandbox",
    ]
}

/// `caps: [{ max: 2, per: "1d" }]`: at most `max` marketing sends to a member in any `per`.
public struct FrequencyCap: Hashable, Sendable {
    public var max: Int
    public var per: TimeSpan

    public init(max: Int, per: TimeSpan) {
        self.max = max
        self.per = per
    }
}

/// `sms`: what marketing SMS must carry, and how long any SMS may get.
public struct SMSSettings: Hashable, Sendable {
    public var signature: String?
    public var optOut: String?
    public var maxSegments: Int?

    public init(signature: String? = nil, optOut: String? = nil, maxSegments: Int? = nil) {
        self.signature = signature
        self.optOut = optOut
        self.maxSegments = maxSegments
    }
}

/// `links`: where tracked links point. `key_env` names the variable holding a signing key
/// for the redirector; Herald's tokens are random, so it is accepted and passed on only.
public struct LinkSettings: Hashable, Sendable {
    public var base: String
    public var keyEnvironmentVariable: String?

    public init(base: String, keyEnvironmentVariable: String? = nil) {
        self.base = base
        self.keyEnvironmentVariable = keyEnvironmentVariable
    }
}

/// `dispatch`: how the worker delivers (read by the dispatcher). Ranges: `SettingRange`.
public struct DispatchSettings: Hashable, Sendable {
    public static let keys = ["concurrency", "max_attempts", "backoff", "lease", "shutdown_timeout", "max_deferral"]

    public var concurrency = 8
    public var maxAttempts = 4
    public var backoff = TimeSpan(seconds: 600)
    public var lease = TimeSpan(seconds: 300)
    public var shutdownTimeout = TimeSpan(seconds: 30)
    /// How long after its scheduled instant a row may keep being deferred by a throttling
    /// gateway (429) without spending attempts; past it, the row fails.
    public var maxDeferral = TimeSpan(seconds: 6 * 3600)

    public init() {}
}

/// One entry of `channels`: a named delivery route and its adapter settings (SPEC 5).
///
/// The name says which address and consent it uses: `sms`, `push`, `email`, or one of those
/// followed by `_` or `-` and anything (`sms_backup`).
public struct ChannelConfig: Sendable {
    public enum Adapter: String, Sendable, CaseIterable {
        case http
        case log
    }

    public static let keys = ["adapter", "url", "headers", "body", "timeout", "connect_timeout", "ca_file",
                              "rate_per_second", "concurrency", "path"]

    public var name: String
    public var kind: ChannelKind
    public var adapter: Adapter
    public var url: String?
    public var headers: [String: String]
    /// The request body template (a JSON value whose strings may hold `{{ to }}`, `{{ text }}`…).
    public var body: JSONValue?
    /// The whole call (connect, send, answer).
    public var timeout: TimeSpan
    /// Connecting alone; nil: the smaller of 10 s and `timeout`.
    public var connectTimeout: TimeSpan?
    /// A PEM CA bundle to verify the gateway with instead of the system's (TLS is always verified).
    public var caFile: String?
    public var ratePerSecond: Double?
    public var concurrency: Int?
    /// `log` adapter: the file sends are appended to.
    public var path: String?
    /// Where the entry was written, for start-up errors with file:line:column.
    public var sourcePath = ""
    public var position: SourcePosition?
    /// Positions of the entry's values by key (`url`, `headers`, `path`…).
    public var positions: [String: SourcePosition] = [:]

    public init(name: String, kind: ChannelKind, adapter: Adapter, url: String? = nil, headers: [String: String] = [:],
                body: JSONValue? = nil, timeout: TimeSpan = TimeSpan(seconds: 10), ratePerSecond: Double? = nil,
                concurrency: Int? = nil, path: String? = nil) {
        self.name = name
        self.kind = kind
        self.adapter = adapter
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.ratePerSecond = ratePerSecond
        self.concurrency = concurrency
        self.path = path
    }

    /// An http(s) URL with a host and no whitespace or control characters; each
    /// `{{ secret.NAME }}` counts as one plain character (its value is checked at start-up).
    public static func isHTTPURL(_ text: String) -> Bool {
        let plain = BracedPlaceholders.pieces(of: text).map { piece in
            switch piece {
            case .text(let text): String(text)
            case .placeholder: "x"
            }
        }.joined()
        let lowered = plain.lowercased()
        guard let scheme = ["https://", "http://"].first(where: { lowered.hasPrefix($0) }) else { return false }
        let afterScheme = plain.dropFirst(scheme.count)
        return !afterScheme.isEmpty && !afterScheme.hasPrefix("/")
            && !plain.unicodeScalars.contains { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F }
    }

    /// The kind a channel name implies, nil when it names none.
    public static func kind(ofName name: String) -> ChannelKind? {
        ChannelKind.allCases.first { name == $0.rawValue || name.hasPrefix($0.rawValue + "_") || name.hasPrefix($0.rawValue + "-") }
    }
}
