import Foundation
import HeraldCore
import HeraldStore

/// `herald outbox list`: the rows an operator is looking for.
enum OutboxListCommand: HeraldCommand {
    static let words = ["outbox", "list"]
    static let summary = "list outbox rows (filter by status, trigger, member)"
    static let valueOptions: Set<String> = ["--status", "--trigger", "--member", "--limit", "--format"]
    static let flagOptions: Set<String> = []
    static let help = """
        Usage: herald outbox list [--status S] [--trigger ID] [--member ID] [--limit N]
                                  [--format table|json]

        The latest matching rows (default 100), oldest of them first. Status is one of
        \(OutboxStatus.allCases.map(\.rawValue).joined(separator: ", ")). Addresses are masked.

        Exit status: 0 listed (also when no row matches); 2 usage, config or store error.
        """

    static func run(positionals: [String], options: ParsedArguments, context: CommandContext) throws -> ExitCode {
        guard positionals.isEmpty else { throw ParsedArguments.UsageError(description: "outbox list takes no arguments") }
        if let status = options.options["--status"], OutboxStatus(rawValue: status) == nil {
            throw ParsedArguments.UsageError(description: "--status: expected one of "
                + OutboxStatus.allCases.map(\.rawValue).joined(separator: ", ") + ", found '\(status)'")
        }
        let format = try context.outputFormat(options)
        let (config, queue) = try OutboxCommandSupport.open(context)
        let filter = OutboxFilter(status: options.options["--status"], triggerID: options.options["--trigger"],
                                  memberID: options.options["--member"], limit: try options.positiveInteger("--limit") ?? 100)
        let (entries, total) = try queue.entries(filter)
        let view = OutboxView(defaultZone: config.timeZone)
        if format == "json" {
            context.console.print(JSONOutput.array(entries.map { view.json($0) }).rendered(pretty: true))
        } else {
            context.console.print(view.table(entries).joined(separator: "\n"))
            context.console.print("\(entries.count) of \(total) matching row\(total == 1 ? "" : "s")")
        }
        return .success
    }
}
