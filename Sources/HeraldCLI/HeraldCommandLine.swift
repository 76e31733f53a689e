import Foundation
import HeraldCore
import HeraldStore

/// The `herald` command line: finds the command, runs it, and turns every error into a
/// clear message on standard error and an exit status (never a crash).
public enum HeraldCommandLine {
    public static let version = "0.1.0"

    static var commands: [any HeraldCommand.Type] { [
        ImportMembersCommand.self, IngestCommand.self, MembersShowCommand.self, MembersForgetCommand.self,
        MembersExportCommand.self, ValidateCommand.self, PreviewCommand.self, RunCommand.self,
        OutboxListCommand.self, OutboxShowCommand.self, OutboxRetryCommand.self, OutboxCancelCommand.self,
        ReportCommand.self, ServeCommand.self, StoreCopyCommand.self, StoreRekeyCommand.self,
        SuppressAddCommand.self, SuppressRemoveCommand.self, SuppressListCommand.self, AuditCommand.self,
    ] }
    static let globalValueOptions: Set<String> = ["--config", "--actor"]
    static let globalFlags: Set<String> = ["--help", "-h", "--version"]

    public static func run(_ arguments: [String], console: Console = .standard,
                           clock: any WallClock = SystemWallClock()) -> ExitCode {
        let status = dispatch(arguments, console: console, clock: clock)
        if let failure = console.outputFailure {
            console.printError("herald: cannot write standard output: \(failure)")
            return .failure
        }
        return status
    }

    /// Parses the arguments and runs the command they name.
    private static func dispatch(_ arguments: [String], console: Console, clock: any WallClock) -> ExitCode {
        let allValueOptions = commands.reduce(globalValueOptions) { $0.union($1.valueOptions) }
        let allFlags = commands.reduce(globalFlags) { $0.union($1.flagOptions) }
        let parsed: ParsedArguments
        do {
            parsed = try ParsedArguments(arguments, valueOptions: allValueOptions, flagOptions: allFlags)
        } catch {
            return usageError("\(error)", help: "herald --help", console: console)
        }
        if parsed.flags.contains("--version") {
            console.print("herald \(version)")
            return .success
        }
        // `herald help outbox list` is `herald outbox list --help`.
        var words = parsed.words
        var wantsHelp = parsed.flags.contains("--help") || parsed.flags.contains("-h")
        if words.first == "help" {
            words.removeFirst()
            wantsHelp = true
        }
        guard let command = commands.filter({ words.starts(with: $0.words) }).max(by: { $0.words.count < $1.words.count })
        else {
            if words.isEmpty {
                wantsHelp ? console.print(overview) : console.printError(overview)
                return wantsHelp ? .success : .failure
            }
            // A group (`herald outbox`): its commands, as the overview lists them.
            let group = commands.filter { $0.words.count > words.count && $0.words.starts(with: words) }
            if !group.isEmpty {
                let text = groupHelp(words, group)
                wantsHelp ? console.print(text) : console.printError(text)
                return wantsHelp ? .success : .failure
            }
            return usageError("unknown command '\(words.joined(separator: " "))'", help: "herald --help", console: console)
        }
        let helpHint = "herald \(command.words.joined(separator: " ")) --help"
        if wantsHelp {
            console.print(command.help)
            return .success
        }
        let allowed = command.valueOptions.union(command.flagOptions).union(globalValueOptions).union(globalFlags)
        if let stray = Set(parsed.options.keys).union(parsed.flags).subtracting(allowed).sorted().first {
            return usageError("'\(stray)' is not an option of '\(command.words.joined(separator: " "))'", help: helpHint,
                              console: console)
        }
        // Masked like any text Herald records: an actor named by a phone number is still one.
        let actor = SensitiveText.masked(parsed.options["--actor"] ?? OperatingSystemUser.name)
        // Recorded in an append-only log: bounded, and one line.
        guard (1...64).contains(actor.count), !actor.contains(where: { $0.isWhitespace && $0 != " " }) else {
            return usageError("--actor: expected a name of 1 to 64 characters on one line", help: helpHint,
                              console: console)
        }
        let context = CommandContext(console: console, clock: clock, explicitConfigPath: parsed.options["--config"],
                                     actor: actor)
        do {
            return try command.run(positionals: Array(words.dropFirst(command.words.count)), options: parsed,
                                   context: context)
        } catch let error as ParsedArguments.UsageError {
            return usageError(error.description, help: helpHint, console: console)
        } catch {
            console.printError("herald: \(error)")
            return .failure
        }
    }

    private static func usageError(_ message: String, help: String, console: Console) -> ExitCode {
        console.printError("herald: \(message)\nRun '\(help)' for usage.")
        return .failure
    }

    /// The commands of a group (`herald outbox`, `herald members`), one line each.
    static func groupHelp(_ words: [String], _ group: [any HeraldCommand.Type]) -> String {
        let name = "herald " + words.joined(separator: " ")
        let width = group.map { $0.words.joined(separator: " ").count }.max() ?? 0
        let lines = group.map { command in
            let full = command.words.joined(separator: " ")
            return "  \(full)\(String(repeating: " ", count: width - full.count + 2))\(command.summary)"
        }
        return "Usage: \(name) <command> [options]\n\nCommands:\n\(lines.joined(separator: "\n"))\n\n"
            + "'herald <command> --help' (or 'herald help <command>') for a command's options."
    }

    static var overview: String {
        let width = commands.map { $0.words.joined(separator: " ").count }.max() ?? 0
        let list = commands.map { command in
            let name = command.words.joined(separator: " ")
            return "  \(name)\(String(repeating: " ", count: width - name.count + 2))\(command.summary)"
        }
        return """
            herald \(version) — campaign automation worker for member and loyalty systems

            Usage: herald [--config PATH] <command> [options]

            Commands:
            \(list.joined(separator: "\n"))

            Global options:
              --config PATH  herald.json5 to use (default: ./herald.json5, else /etc/herald/herald.json5)
              --actor NAME   who is acting, in what the command records (default: the OS user)
              -h, --help     show help; 'herald <command> --help' for a command
              --version      print the version

            Exit status, the same for every command: 0 done; 1 done, with problems (input rows
            rejected, some of what was named not found, validate's findings); 2 nothing done:
            usage, config, I/O or store error, or what was named is not there.
            """
    }
}
