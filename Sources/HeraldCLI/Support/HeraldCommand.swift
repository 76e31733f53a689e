import HeraldCore

/// One `herald` command. Each lives in its own file under `Commands/`.
protocol HeraldCommand {
    /// The words that select it: `["import", "members"]`.
    static var words: [String] { get }
    static var summary: String { get }
    /// The full `--help` text, usage line first.
    static var help: String { get }
    static var valueOptions: Set<String> { get }
    static var flagOptions: Set<String> { get }
    /// `positionals` are the words after the command's own.
    static func run(positionals: [String], options: ParsedArguments, context: CommandContext) throws -> ExitCode
}

/// What every command is handed: where to write, the clock, and the global options.
struct CommandContext {
    let console: Console
    let clock: any WallClock
    let explicitConfigPath: String?
    /// Who runs the command, for what it records (`--actor NAME`, else the OS user).
    let actor: String

    /// The config named by `--config`, else `./herald.json5`, else `/etc/herald/herald.json5`.
    func loadConfig() throws -> HeraldConfig {
        try ConfigLoader.load(path: try configPath())
    }

    /// The config with its triggers and templates, every cross-check passed.
    func loadCatalog() throws -> Catalog {
        try CatalogLoader.load(configPath: try configPath())
    }

    /// `--format` checked against `allowed`; by default a table for people on a terminal
    /// and JSON for programs reading a pipe.
    func outputFormat(_ options: ParsedArguments, allowed: [String] = ["table", "json"]) throws -> String {
        let format = options.options["--format"] ?? (console.outputIsTerminal ? "table" : "json")
        guard allowed.contains(format) else {
            let expected = allowed.dropLast().joined(separator: ", ") + " or " + (allowed.last ?? "")
            throw ParsedArguments.UsageError(description: "--format: expected \(expected), found '\(format)'")
        }
        return format
    }

    func configPath() throws -> String {
        guard let path = ConfigLoader.locate(explicitPath: explicitConfigPath) else {
            throw ParsedArguments.UsageError(description:
                "no config found: pass --config PATH, or create ./herald.json5 or /etc/herald/herald.json5")
        }
        return path
    }
}
