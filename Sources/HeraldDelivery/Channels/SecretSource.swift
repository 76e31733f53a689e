import Foundation

/// Where `{{ secret.NAME }}` in a channel's URL or headers comes from: the file
/// `$CREDENTIALS_DIRECTORY/NAME` (systemd `LoadCredential=`) first, else the environment
/// variable `NAME`. Values are substituted once at start-up and never logged.
public struct SecretSource: Sendable {
    public var environment: [String: String]

    public init(environment: [String: String]) {
        self.environment = environment
    }

    public static var system: SecretSource { SecretSource(environment: ProcessInfo.processInfo.environment) }

    public func value(named name: String) -> String? {
        if let folder = environment["CREDENTIALS_DIRECTORY"],
           let data = FileManager.default.contents(atPath: (folder as NSString).appendingPathComponent(name)),
           let text = String(data: data, encoding: .utf8) {
            return text.trimmingCharacters(in: .newlines)
        }
        return environment[name]
    }

    /// `text` with each `{{ secret.NAME }}` replaced; `place` names the setting in errors.
    public func substitute(in text: String, place: String) throws -> String {
        var result = ""
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            guard let close = rest[open.upperBound...].range(of: "}}") else { break }
            let inner = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            guard inner.hasPrefix("secret.") else {
                throw ChannelSetupError("\(place): expected {{ secret.NAME }}, found {{ \(inner) }}")
            }
            let name = String(inner.dropFirst("secret.".count))
            guard let value = value(named: name) else {
                throw ChannelSetupError("\(place): secret '\(name)' is neither a file in $CREDENTIALS_DIRECTORY "
                                        + "nor an environment variable")
            }
            result += rest[..<open.lowerBound] + value
            rest = rest[close.upperBound...]
        }
        return result + rest
    }
}
