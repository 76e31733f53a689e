import Foundation

/// The config's named segments (`segments: { 母婴活跃: <filter> }`), each parsed once on
/// first use and written in place wherever a filter says `{ segment: "母婴活跃" }`. A segment
/// may use other segments; one that reaches itself is a problem at its definition.
///
/// Used while loading only (one thread); the resolved filters end up in `HeraldConfig`.
public final class SegmentTable {
    private let definitions: [(name: String, value: JSONValue)]
    private let configPath: String
    private var resolved: [String: FilterExpression] = [:]
    /// Names whose definition failed (reported once).
    private var failed: Set<String> = []
    private var resolving: [String] = []

    init(definitions: [(name: String, value: JSONValue)], configPath: String) {
        self.definitions = definitions
        self.configPath = configPath
    }

    /// The segments already resolved (the config's `segments`, to rebuild a table from).
    convenience init(resolved: [String: FilterExpression]) {
        self.init(definitions: [], configPath: "")
        self.resolved = resolved
    }

    public var names: [String] { Array(Set(definitions.map(\.name)).union(resolved.keys)).sorted() }

    /// Every definition parsed (problems to `log`); what the config keeps.
    func resolveAll(log: DiagnosticLog) -> [String: FilterExpression] {
        for definition in definitions {
            _ = expression(named: definition.name, at: definition.value.position, usedIn: configPath, log: log)
        }
        return resolved
    }

    /// The named segment's filter; nil (with a problem at `position` in `file`) when unknown,
    /// circular or wrong.
    func expression(named name: String, at position: SourcePosition, usedIn file: String,
                    log: DiagnosticLog) -> FilterExpression? {
        if let done = resolved[name] { return done }
        if failed.contains(name) { return nil }
        guard let definition = definitions.first(where: { $0.name == name }) else {
            let hint = SpellingSuggestion.question(for: name, among: names).map { " (\($0))" } ?? ""
            let known = names.isEmpty ? "the config defines none (segments: { name: <filter> })" : "the config defines \(names.joined(separator: ", "))"
            log.add(file: file, at: position, "segment: unknown segment '\(name)'\(hint); \(known)")
            return nil
        }
        if let start = resolving.firstIndex(of: name) {
            let cycle = (resolving[start...] + [name]).joined(separator: " → ")
            log.add(file: configPath, at: definition.value.position, "segments.\(name): refers back to itself (\(cycle))")
            failed.insert(name)
            return nil
        }
        resolving.append(name)
        defer { resolving.removeLast() }
        let parser = FilterParser.audience(file: configPath, log: log, segments: self)
        guard let expression = parser.parse(definition.value, path: "segments.\(name)") else {
            failed.insert(name)
            return nil
        }
        resolved[name] = expression
        return expression
    }
}
