import Foundation
import HeraldCore

/// Where `{{ secret.NAME }}` in a provider's options comes from: the file
/// `$CREDENTIALS_DIRECTORY/NAME` (systemd `LoadCredential=`) first, else the environment
/// variable `NAME`. Values are substituted once at start-up and never logged; the
/// dispatcher redacts them from gateway errors (`ErrorRedactor`).
public struct SecretSource: Sendable {
    public var environment: [String: String]
    /// When set, a secret that is not there reads as a stand-in and its name is noted here:
    /// `herald validate` on a machine without the secrets reports them as warnings.
    public var absent: AbsentSecrets?

    public init(environment: [String: String], absent: AbsentSecrets? = nil) {
        self.environment = environment
        self.absent = absent
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

    /// `text` with each `{{ secret.NAME }}` replaced; `problem` turns a message into the
    /// diagnostic thrown (it knows the file, position and setting).
    public func substitute(in text: String, problem: (String) -> Diagnostic) throws -> String {
        try BracedPlaceholders.pieces(of: text).map { piece in
            switch piece {
            case .text(let text):
                return String(text)
            case .placeholder(let inner):
                guard inner.hasPrefix("secret.") else {
                    throw problem("expected {{ secret.NAME }}, found {{ \(inner) }}")
                }
                return try resolve(String(inner.dropFirst("secret.".count)), problem: problem)
            }
        }.joined()
    }

    /// One secret's value, or the stand-in when absent ones are only noted.
    func resolve(_ name: String, problem: (String) -> Diagnostic) throws -> String {
        if let value = value(named: name) { return value }
        if let absent {
            absent.note(name, problem("secret '\(name)' is not set here (neither a file in "
                                      + "$CREDENTIALS_DIRECTORY nor an environment variable); start-up needs it"))
            return "secret"
        }
        throw problem("secret '\(name)' is neither a file in $CREDENTIALS_DIRECTORY nor an environment variable")
    }

    /// The names `{{ secret.NAME }}` refers to in `text`.
    static func names(in text: String) -> [String] {
        BracedPlaceholders.pieces(of: text).compactMap { piece in
            guard case .placeholder(let inner) = piece, inner.hasPrefix("secret.") else { return nil }
            return String(inner.dropFirst("secret.".count))
        }
    }
}
