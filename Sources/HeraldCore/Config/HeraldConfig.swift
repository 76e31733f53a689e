import Foundation

/// `herald.json5` (SPEC 1.1), read and checked. Paths are absolute (resolved against the
/// config file's folder); durations and time ranges are parsed values.
public struct HeraldConfig: Sendable {
    /// The file it was read from (for messages), and the folder relative paths resolve against.
    public var sourcePath: String
    /// `store`: the SQLite file (its path absolute) or the PostgreSQL database.
    public var store: StoreLocation
    /// `store.key` (and `store.previous_key`) as written; nil for an unencrypted store (SPEC 9).
    public var storeKey: StoreKeySetting?
    /// How long rows are kept (`retention`); empty: for ever.
    public var retention = RetentionPolicy()
    /// Named audience filters (`segments: { name: <filter> }`), usable as `{ segment: "name" }`
    /// in any trigger's audience (already written in place there).
    public var segments: [String: FilterExpression] = [:]
    public var timeZone: TimeZone
    public var locale: String
    public var triggersFolder: String
    public var templatesFolder: String
    /// No `marketing` send is scheduled inside these hours (member local time); nil: none.
    public var quietHours: LocalTimeRange?
    public var caps: [FrequencyCap]
    /// In the order the file lists them.
    public var channels: [ChannelConfig]
    /// `providers`: named providers channels route over (SPEC 7), in the order the file lists them.
    public var providers: [ProviderConfig] = []
    /// `coupon_issuers`: the coupon systems offers name (`offer.issuer: "crm"`), each an
    /// adapter entry like a provider's (`http`, or `log` for the sandbox).
    public var couponIssuers: [ProviderConfig] = []
    public var sms: SMSSettings
    public var links: LinkSettings?
    public var evaluateEvery: TimeSpan
    public var dispatch: DispatchSettings
    /// The evaluation instant `preview --sandbox` uses when `--at` is not given.
    public var sandboxAt: Date?
    /// `serve: { listen: "127.0.0.1:8080" }`: `herald run` answers the HTTP edge there too.
    public var serveListen: String?
    /// `serve.callback_key`: what provider callbacks must carry as `?key=` (usually
    /// `{{ secret.NAME }}`, substituted at start-up). Without it callbacks are refused.
    public var serveCallbackKey: String?
    /// `serve.callbacks_from`: when set, only these peers may call the provider callbacks
    /// (behind a proxy on loopback, the address it passes in `X-Real-IP`).
    public var serveCallbacksFrom: [IPAddressRange]?

    public init(sourcePath: String, store: StoreLocation, timeZone: TimeZone = TimeZone(identifier: "Asia/Shanghai")!,
                locale: String = "zh-CN") {
        self.sourcePath = sourcePath
        self.store = store
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
        "store", "timezone", "locale", "triggers", "templates", "quiet_hours", "caps", "channels", "providers", "sms", "retention",
        "links", "evaluate_every", "dispatch", "sandbox", "serve", "segments", "coupon_issuers",
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

    /// Opt-out wordings carriers accept (SPEC 1.3): a text carrying any of them, or the
    /// configured one, gets no second opt-out.
    public static let knownOptOutPhrases = ["回T退订", "退订回T", "回TD退订", "拒收请回复R"]

    /// The known phrases and the configured one.
    public var optOutPhrases: [String] {
        Self.knownOptOutPhrases + (optOut.map { Self.knownOptOutPhrases.contains($0) || $0.isEmpty ? [] : [$0] } ?? [])
    }
}

/// `links`: where tracked links point. `key_env` names the variable holding a signing key
/// for the redirector; Herald's tokens are random, so it is accepted and passed on only.
/// `fallback`: where `herald serve` sends a link it does not know (else 404).
public struct LinkSettings: Hashable, Sendable {
    public var base: String
    public var keyEnvironmentVariable: String?
    public var fallback: String?

    public init(base: String, keyEnvironmentVariable: String? = nil, fallback: String? = nil) {
        self.base = base
        self.keyEnvironmentVariable = keyEnvironmentVariable
        self.fallback = fallback
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
