import Foundation
import HeraldCore

/// The worker's log: one line per event on standard error, `level=… event=… key=value…`
/// (journald adds the timestamp). Callers pass addresses already masked; secrets are never
/// passed at all. Values with spaces, quotes or `=` are quoted.
public final class EventLog: Sendable {
    public enum Level: Int, Sendable, Comparable {
        case debug, info, warning, error

        var name: String { ["debug", "info", "warning", "error"][rawValue] }

        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    private let minimum: Level
    private let write: @Sendable (String) -> Void

    public init(minimum: Level = .info, write: @escaping @Sendable (String) -> Void) {
        self.minimum = minimum
        self.write = write
    }

    public static let standardError = EventLog { FileHandle.standardError.write(Data($0.utf8)) }

    public func log(_ level: Level, _ event: String, _ fields: KeyValuePairs<String, String> = [:]) {
        log(level, event, fields: Array(fields))
    }

    public func log(_ level: Level, _ event: String, fields: [(key: String, value: String)]) {
        guard level >= minimum else { return }
        var line = "level=\(level.name) event=\(event)"
        for (key, value) in fields {
            line += " \(key)=\(Self.quoted(value))"
        }
        write(line + "\n")
    }

    public func info(_ event: String, _ fields: KeyValuePairs<String, String> = [:]) { log(.info, event, fields) }
    public func warning(_ event: String, _ fields: KeyValuePairs<String, String> = [:]) { log(.warning, event, fields) }
    public func error(_ event: String, _ fields: KeyValuePairs<String, String> = [:]) { log(.error, event, fields) }

    /// Control characters (ESC, BEL… from member data or a gateway) never reach the journal:
    /// newlines become `\n`, the others are dropped.
    static func quoted(_ value: String) -> String {
        let value = SensitiveText.withoutControlCharacters(value)
        let needsQuotes = value.isEmpty || value.contains { $0 == " " || $0 == "\"" || $0 == "=" || $0.isNewline }
        guard needsQuotes else { return value }
        let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
        return "\"\(escaped)\""
    }
}
