import Foundation

/// Reads `herald.json5` into a `HeraldConfig`. Every problem is a `Diagnostic` naming
/// file:line:column and what was expected; all problems are collected, not only the first.
public enum ConfigLoader {
    public struct Failure: Error, CustomStringConvertible {
        public var diagnostics: [Diagnostic]
        public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
    }

    /// `explicitPath` when given; else `./herald.json5`, else `/etc/herald/herald.json5`.
    public static func locate(explicitPath: String?, fileManager: FileManager = .default) -> String? {
        if let explicitPath { return explicitPath }
        return ["herald.json5", "/etc/herald/herald.json5"].first { fileManager.fileExists(atPath: $0) }
    }

    public static func load(path: String) throws -> HeraldConfig {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw Failure(diagnostics: [Diagnostic(file: path, message: "cannot read the config file (\(error.localizedDescription))")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw Failure(diagnostics: [Diagnostic(file: path, message: "the config file is not UTF-8")])
        }
        return try parse(text, path: path)
    }

    public static func parse(_ text: String, path: String) throws -> HeraldConfig {
        let root: JSONValue
        do {
            root = try JSONParser.parse(text, dialect: .json5)
        } catch {
            throw Failure(diagnostics: [Diagnostic(file: path, position: error.position, message: error.message)])
        }
        guard let members = root.members else {
            throw Failure(diagnostics: [Diagnostic(file: path, position: root.position,
                                                   message: "expected an object at the top, found \(root.kindName)")])
        }
        var problems: [Diagnostic] = []
        func problem(_ position: SourcePosition, _ message: String) {
            problems.append(Diagnostic(file: path, position: position, message: message))
        }

        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        var storePath: String?
        var timeZone = TimeZone(identifier: "Asia/Shanghai")!
        var locale = "zh-CN"
        var otherSections: [String: JSONValue] = [:]
        for member in members {
            let value = member.value
            switch member.key {
            case "store":
                guard let storeMembers = value.members else {
                    problem(value.position, "store: expected an object such as { sqlite: \"herald.db\" }, found \(value.kindName)")
                    continue
                }
                for storeMember in storeMembers {
                    switch storeMember.key {
                    case "sqlite":
                        guard let file = storeMember.value.stringValue, !file.isEmpty else {
                            problem(storeMember.value.position, "store.sqlite: expected a file path, found \(storeMember.value.kindName)")
                            continue
                        }
                        storePath = file.hasPrefix("/") ? file : folder.appendingPathComponent(file).standardizedFileURL.path
                    case "postgres":
                        problem(storeMember.keyPosition, "store.postgres: not supported by this version; use store.sqlite")
                    default:
                        problem(storeMember.keyPosition, "store: unknown key '\(storeMember.key)' (expected sqlite)")
                    }
                }
            case "timezone":
                guard let identifier = value.stringValue,
                      identifier == "UTC" || identifier.contains("/"), let zone = TimeZone(identifier: identifier)
                else {
                    problem(value.position, "timezone: expected an IANA time zone such as \"Asia/Shanghai\"")
                    continue
                }
                timeZone = zone
            case "locale":
                guard let text = value.stringValue, let normalized = MemberRecordDecoder.normalizedLocale(text) else {
                    problem(value.position, "locale: expected a language tag such as \"zh-CN\"")
                    continue
                }
                locale = normalized
            case let key where HeraldConfig.knownKeys.contains(key):
                otherSections[key] = value
            default:
                problem(member.keyPosition, "unknown key '\(member.key)' (expected one of: \(HeraldConfig.knownKeys.joined(separator: ", ")))")
            }
        }
        if storePath == nil && !members.contains(where: { $0.key == "store" }) {
            problem(root.position, "store: missing (expected store: { sqlite: \"herald.db\" })")
        }
        guard problems.isEmpty, let storePath else { throw Failure(diagnostics: problems) }
        return HeraldConfig(sourcePath: path, storePath: storePath, timeZone: timeZone, locale: locale,
                            otherSections: otherSections)
    }
}
