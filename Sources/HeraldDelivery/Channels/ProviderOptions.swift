import Foundation
import HeraldCore

/// A provider's config entry as its adapter reads it: typed getters that report every
/// problem with file:line:column under the entry's name (`providers.tencent.sign_name: …`,
/// or `channels.sms.url: …` for a provider written inline), secrets filled in from
/// `SecretSource`, and the unknown-key check against the adapter's own keys.
///
/// Reading never stops at the first problem: `problems` holds them all, so `herald validate`
/// lists them together; `make` throws the first.
public final class ProviderOptions {
    public let provider: ProviderConfig
    public let secrets: SecretSource
    /// `providers.tencent` or `channels.sms`.
    public let settingName: String
    private let log = DiagnosticLog()
    private let reader: JSONObjectReader?

    /// `allowedKeys`: the adapter's own keys; the keys Core reads (`ProviderConfig.commonKeys`,
    /// and a channel's own keys for an inline provider) are allowed too, or `coreKeys` when given.
    public init(_ provider: ProviderConfig, allowedKeys: [String], secrets: SecretSource, coreKeys: [String]? = nil) {
        self.provider = provider
        self.secrets = secrets
        settingName = Self.settingName(of: provider)
        let keys = (coreKeys ?? ProviderConfig.commonKeys + (provider.isInline ? ChannelConfig.inlineKeys : []))
            + allowedKeys
        reader = JSONObjectReader(provider.entry, file: provider.sourcePath, path: settingName, allowedKeys: keys,
                                  log: log)
        reader?.finish()
    }

    public var problems: [Diagnostic] { log.diagnostics }

    /// `providers.tencent`, `channels.sms`, or the entry's own `settingName`.
    public static func settingName(of provider: ProviderConfig) -> String {
        provider.settingName ?? (provider.isInline ? "channels." : "providers.") + provider.name
    }

    /// Throws the first problem found so far.
    public func throwFirstProblem() throws {
        if let first = log.diagnostics.first { throw first }
    }

    public var name: String { provider.name }
    public var timeout: TimeSpan { provider.timeout }

    public subscript(key: String) -> JSONValue? { reader?[key] }

    /// A problem with the value of `key` (or with the entry, when nil or absent).
    public func problem(_ key: String?, _ message: String) {
        log.add(problemDiagnostic(key, message))
    }

    /// A problem found by other code (a `Diagnostic` it threw, or any error at the entry).
    public func add(_ error: any Error) {
        log.add(error as? Diagnostic ?? problemDiagnostic(nil, "\(error)"))
    }

    func problemDiagnostic(_ key: String?, _ message: String) -> Diagnostic {
        let position = key.flatMap { self[$0]?.position } ?? provider.position
        return Diagnostic(file: provider.sourcePath, position: position,
                          message: "\(settingName)\(key.map { ".\($0)" } ?? ""): \(message)")
    }

    public func string(_ key: String, required: Bool = false) -> String? {
        reader?.string(key, required: required)
    }

    /// A string with each `{{ secret.NAME }}` filled in; nil (reported) when a secret is missing.
    public func secretString(_ key: String, required: Bool = false) -> String? {
        guard let text = string(key, required: required) else { return nil }
        return filled(text, key: key)
    }

    /// `text` with its secrets filled in; problems reported at `key`.
    public func filled(_ text: String, key: String) -> String? {
        do {
            return try secrets.substitute(in: text) { problemDiagnostic(key, $0) }
        } catch {
            add(error)
            return nil
        }
    }

    public func number(_ key: String, in range: ClosedRange<Double>) -> Double? { reader?.number(key, in: range) }

    public func integer(_ key: String, in range: ClosedRange<Int>) -> Int? { reader?.integer(key, in: range) }

    public func timeSpan(_ key: String, in range: ClosedRange<TimeSpan>) -> TimeSpan? {
        reader?.timeSpan(key, in: range)
    }

    /// A path resolved against the config file's folder.
    public func path(_ key: String, required: Bool = false) -> String? {
        guard let file = string(key, required: required) else { return nil }
        if file.isEmpty {
            problem(key, "expected a file path, found \"\"")
            return nil
        }
        return file.hasPrefix("/") ? file : URL(fileURLWithPath: provider.baseFolder).appendingPathComponent(file)
            .standardizedFileURL.path
    }

    /// The object under `key`, its keys as written (any allowed).
    public func object(_ key: String) -> JSONObjectReader? {
        guard let value = self[key] else { return nil }
        return JSONObjectReader(value, file: provider.sourcePath, path: "\(settingName).\(key)",
                                allowedKeys: value.members?.map(\.key) ?? [], log: log)
    }

    /// Every string anywhere in `value`: where `{{ secret.NAME }}` may be used.
    static func strings(in value: JSONValue) -> [String] {
        switch value.kind {
        case .string(let text): [text]
        case .array(let items): items.flatMap(strings(in:))
        case .object(let members): members.flatMap { strings(in: $0.value) }
        default: []
        }
    }
}
