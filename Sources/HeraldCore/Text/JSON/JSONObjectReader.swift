/// Reads the keys of one JSON5 object into typed values for config and trigger files.
///
/// Every problem — a wrong type, a bad duration, an unknown key — goes to the shared
/// `DiagnosticLog` with file:line:column and what was expected, and the getter returns nil,
/// so reading carries on and all problems surface together. `finish()` reports the keys
/// nobody asked for: typos must not pass silently.
public struct JSONObjectReader {
    public let file: String
    /// Where this object sits, for messages: `params`, `channels.sms`; empty at the top.
    public let path: String
    public let position: SourcePosition
    public let log: DiagnosticLog
    private let members: [JSONMember]
    private let allowedKeys: [String]

    /// Nil (with a diagnostic) when `value` is not an object.
    public init?(_ value: JSONValue, file: String, path: String = "", allowedKeys: [String], log: DiagnosticLog) {
        guard let members = value.members else {
            log.add(file: file, at: value.position, "\(Self.label(path))expected an object, found \(value.kindName)")
            return nil
        }
        self.file = file
        self.path = path
        self.position = value.position
        self.log = log
        self.members = members
        self.allowedKeys = allowedKeys
    }

    /// The keys present, in source order.
    public var keys: [String] { members.map(\.key) }

    public subscript(key: String) -> JSONValue? { members.first { $0.key == key }?.value }

    public func keyPosition(_ key: String) -> SourcePosition {
        members.first { $0.key == key }?.keyPosition ?? position
    }

    /// `path.key`, as messages name a value.
    public func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    public func problem(at position: SourcePosition, _ message: String) {
        log.add(file: file, at: position, message)
    }

    /// Reports a value of the wrong shape: `name: expected …, found …`.
    public func expected(_ key: String, _ what: String, found value: JSONValue) {
        problem(at: value.position, "\(name(key)): expected \(what), found \(Self.describe(value))")
    }

    /// Reports a name that is not one of `candidates`, with "did you mean …?" when one is close.
    public func expected(_ key: String, oneOf candidates: [String], found value: JSONValue) {
        let hint = value.stringValue.flatMap { SpellingSuggestion.question(for: $0, among: candidates) }
            .map { " (\($0))" } ?? ""
        problem(at: value.position, "\(name(key)): expected one of \(candidates.joined(separator: ", ")), found \(Self.describe(value))\(hint)")
    }

    /// Reports every key outside `allowedKeys`. (A key given twice never gets here: the
    /// JSON5 parser refuses it with its position.)
    public func finish() {
        for member in members where !allowedKeys.contains(member.key) {
            let hint = SpellingSuggestion.question(for: member.key, among: allowedKeys).map { $0 + " " } ?? ""
            problem(at: member.keyPosition,
                    "\(Self.label(path))unknown key '\(member.key)' (\(hint)expected one of: \(allowedKeys.joined(separator: ", ")))")
        }
    }

    /// Reports a missing required key at the object's opening brace.
    public func missing(_ key: String, _ what: String) {
        problem(at: position, "\(name(key)): missing (expected \(what))")
    }

    // MARK: Typed getters (nil when absent or wrong, the wrong case reported)

    public func string(_ key: String, required: Bool = false) -> String? {
        read(key, "a string", required: required) { $0.stringValue }
    }

    public func bool(_ key: String) -> Bool? {
        read(key, "true or false", required: false) { value in
            if case .bool(let flag) = value.kind { flag } else { nil }
        }
    }

    public func number(_ key: String, required: Bool = false, in range: ClosedRange<Double>) -> Double? {
        read(key, "a number from \(SettingRange.text(range.lowerBound)) to \(SettingRange.text(range.upperBound))",
             required: required) { value in
            value.numberValue.flatMap { range.contains($0) ? $0 : nil }
        }
    }

    /// A whole number inside `range`: every number a file may hold is bounded, so no
    /// arithmetic on it can overflow (the ranges are in `SettingRange`).
    public func integer(_ key: String, required: Bool = false, in range: ClosedRange<Int>) -> Int? {
        let what = "a whole number from \(range.lowerBound) to \(range.upperBound)"
        return read(key, what, missingAs: "a whole number", required: required) { value in
            value.integerValue.flatMap { range.contains($0) ? $0 : nil }
        }
    }

    /// A duration inside `range`, reported as `expected a duration from 1s to 10m`.
    public func timeSpan(_ key: String, required: Bool = false, in range: ClosedRange<TimeSpan>) -> TimeSpan? {
        read(key, "a duration from \(range.lowerBound) to \(range.upperBound) (such as 90s, 15m, 2h, 30d or 1w)",
             required: required) { value in
            value.stringValue.flatMap(TimeSpan.init).flatMap { range.contains($0) ? $0 : nil }
        }
    }

    /// The one shape of every typed getter: absent → nil (reported when `required`, as
    /// `missingAs` or `what`); present but not convertible → nil, reported as "expected `what`".
    private func read<Value>(_ key: String, _ what: String, missingAs: String? = nil, required: Bool,
                             _ convert: (JSONValue) -> Value?) -> Value? {
        guard let value = self[key] else {
            if required { missing(key, missingAs ?? what) }
            return nil
        }
        guard let converted = convert(value) else {
            expected(key, what, found: value)
            return nil
        }
        return converted
    }

    /// An array of strings; a lone string is not accepted (lists stay lists).
    public func strings(_ key: String, required: Bool = false, nonEmpty: Bool = false) -> [String]? {
        guard let value = self[key] else {
            if required { missing(key, "a list of strings") }
            return nil
        }
        guard case .array(let items) = value.kind else {
            expected(key, "a list of strings", found: value)
            return nil
        }
        var texts: [String] = []
        for item in items {
            guard let text = item.stringValue else {
                expected(key, "a list of strings", found: item)
                return nil
            }
            texts.append(text)
        }
        if nonEmpty && texts.isEmpty {
            problem(at: value.position, "\(name(key)): expected at least one entry, found an empty list")
            return nil
        }
        return texts
    }

    public func object(_ key: String, allowedKeys: [String]) -> JSONObjectReader? {
        self[key].flatMap { JSONObjectReader($0, file: file, path: name(key), allowedKeys: allowedKeys, log: log) }
    }

    public func array(_ key: String) -> [JSONValue]? {
        guard let value = self[key] else { return nil }
        guard case .array(let items) = value.kind else {
            expected(key, "a list", found: value)
            return nil
        }
        return items
    }

    static func label(_ path: String) -> String { path.isEmpty ? "" : "\(path): " }

    /// `a string "x"`, `a number 5`: what was found, quoted when short.
    public static func describe(_ value: JSONValue) -> String {
        switch value.kind {
        case .string(let text): text.count <= 40 ? "\"\(text)\"" : "a long string"
        case .number(let text): "the number \(text)"
        case .bool(let flag): "\(flag)"
        default: value.kindName
        }
    }
}

extension JSONValue {
    /// The number's value; JSON5 hexadecimal (`0x1F`) included.
    public var numberValue: Double? {
        guard case .number(let text) = kind else { return nil }
        if let integer = integerValue { return Double(integer) }
        return Double(text)
    }

    /// The number as a whole number, nil when it has a fraction or does not fit.
    public var integerValue: Int? {
        guard case .number(let text) = kind else { return nil }
        var digits = Substring(text)
        var sign = 1
        if let first = digits.first, first == "-" || first == "+" {
            sign = first == "-" ? -1 : 1
            digits = digits.dropFirst()
        }
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") {
            return Int(digits.dropFirst(2), radix: 16).map { $0 * sign }
        }
        if let whole = Int(digits) { return whole * sign }
        if let real = Double(text), real.rounded() == real, abs(real) < 9e15 { return Int(real) }
        return nil
    }
}
