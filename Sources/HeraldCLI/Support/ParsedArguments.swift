import HeraldCore

/// A command line split into words, `--name value` options and `--flag`s.
///
/// Small on purpose (no third-party parser): options may stand anywhere, `--name=value`
/// works too, `--` ends option parsing. Unknown options are a usage error, never ignored.
struct ParsedArguments {
    var words: [String] = []
    var options: [String: String] = [:]
    var flags: Set<String> = []

    /// The value of `name` as a whole number ≥ 1, nil when absent.
    func positiveInteger(_ name: String) throws -> Int? {
        guard let text = options[name] else { return nil }
        guard let value = Int(text), value >= 1 else {
            throw UsageError(description: "\(name): expected a whole number of at least 1, found '\(text)'")
        }
        return value
    }

    /// The value of `name` as a day (YYYY-MM-DD), nil when absent.
    func day(_ name: String) throws -> CivilDate? {
        guard let text = options[name] else { return nil }
        guard let day = CivilDate(parsing: text) else {
            throw UsageError(description: "\(name): expected a day as YYYY-MM-DD, found '\(text)'")
        }
        return day
    }

    struct UsageError: Error, CustomStringConvertible {
        var description: String
    }

    init(_ arguments: [String], valueOptions: Set<String>, flagOptions: Set<String>) throws {
        var index = 0
        var onlyWords = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if onlyWords || !argument.hasPrefix("-") || argument == "-" {
                words.append(argument)
                continue
            }
            if argument == "--" {
                onlyWords = true
                continue
            }
            var name = argument
            var inlineValue: String?
            if let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                inlineValue = String(argument[argument.index(after: equals)...])
            }
            if flagOptions.contains(name), inlineValue == nil {
                flags.insert(name)
            } else if valueOptions.contains(name) {
                guard let value = inlineValue ?? (index < arguments.count ? arguments[index] : nil) else {
                    throw UsageError(description: "\(name) needs a value")
                }
                if inlineValue == nil { index += 1 }
                options[name] = value
            } else {
                throw UsageError(description: "unknown option '\(name)'")
            }
        }
    }
}
