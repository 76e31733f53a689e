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
        Usage: herald outbox list [--status S] [--trigger ID] [--member ID] [--limit N] [--format table|json]

        The latest matching rows (default 100), oldest of them first. Status is one of
        \(OutboxStatus.allCases.map(\.rawValue).joined(separator: ", ")). Addresses are masked.
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

/// What the outbox commands share: the store from the config and a row id.
enum OutboxCommandSupport {
    static func open(_ context: CommandContext) throws -> (HeraldConfig, any OutboxQueue) {
        let (config, _, queue) = try openWithStore(context)
        return (config, queue)
    }

    /// As `open`, with the store itself (for the audit log of the commands that change rows).
    static func openWithStore(_ context: CommandContext) throws -> (HeraldConfig, any MemberStore, any OutboxQueue) {
        let (config, store) = try context.openStore()
        return (config, store, try store.makeOutboxQueue(owner: LeaseOwner.makeName()))
    }

    static func rowID(_ text: String) throws -> Int64 {
        guard let key = Int64(text), key > 0 else {
            throw ParsedArguments.UsageError(description: "expected an outbox row id (a whole number), found '\(text)'")
        }
        return key
    }
}
