import Foundation

/// `herald.json5`, as far as this version interprets it.
///
/// Interpreted now: `store.sqlite`, `timezone`, `locale`. The other top-level keys of
/// SPEC 1.1 (`triggers`, `channels`, `caps`, …) are recognised and kept as raw JSON for
/// the parts of Herald that read them; any other key is an error.
public struct HeraldConfig: Sendable {
    /// The file it was read from (for messages), and the folder relative paths resolve against.
    public var sourcePath: String
    public var storePath: String
    public var timeZone: TimeZone
    public var locale: String
    /// SPEC 1.1 sections that later parts of Herald interpret, by key.
    public var otherSections: [String: JSONValue]

    public init(sourcePath: String, storePath: String, timeZone: TimeZone = TimeZone(identifier: "Asia/Shanghai")!,
                locale: String = "zh-CN", otherSections: [String: JSONValue] = [:]) {
        self.sourcePath = sourcePath
        self.storePath = storePath
        self.timeZone = timeZone
        self.locale = locale
        self.otherSections = otherSections
    }

    /// Top-level keys SPEC 1.1 defines.
    public static let knownKeys = [
        "store", "timezone", "locale", "triggers", "templates", "quiet_hours", "caps", "channels", "sms", "links",
        "evaluate_every", "dispatch", "sandbox",
    ]
}
