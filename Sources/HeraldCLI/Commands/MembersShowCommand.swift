import Foundation
import HeraldCore
import HeraldStore
import HeraldWorker

/// `herald members show ID`: a stored member with the state Herald derived, phone masked.
enum MembersShowCommand: HeraldCommand {
    static let words = ["members", "show"]
    static let summary = "show a stored member with derived state (last activity, points, balance, consents)"
    static let valueOptions: Set<String> = ["--format"]
    static let flagOptions: Set<String> = []
    static let help = """
        Usage: herald members show ID [--format text|json]

        Prints what the store holds for one member and what Herald derived from its events:
        last activity (and where it comes from), points lots first-expiring first, stored
        value, consents per channel, events seen. Times are in the member's time zone.
        Phone numbers and e-mail addresses are masked.

        Options:
          --format text|json  (default: text)

        Exit status: 0 found; 2 not found, usage, config or I/O error.
        """

    static func run(positionals: [String], options: ParsedArguments, context: CommandContext) throws -> ExitCode {
        guard positionals.count == 1, let id = positionals.first else {
            throw ParsedArguments.UsageError(description: "members show takes exactly one member ID")
        }
        let format = options.options["--format"] ?? "text"
        guard ["text", "json"].contains(format) else {
            throw ParsedArguments.UsageError(description: "--format: expected text or json, found '\(format)'")
        }
        let config = try context.loadConfig()
        let store = try StoreFactory.open(config)
        guard let member = try store.member(id: id) else {
            context.console.printError("herald: no member with id '\(id)' in \(config.store)")
            return .failure
        }
        let view = MemberView(member: member, defaultTimeZone: config.timeZone, now: context.clock.now())
        context.console.print(format == "json" ? view.json.rendered(pretty: true) : view.text)
        return .success
    }
}
