import Foundation
import HeraldCore
import HeraldStore

/// `herald outbox show ID`: one row with every attempt on it.
enum OutboxShowCommand: HeraldCommand {
    static let words = ["outbox", "show"]
    static let summary = "show one outbox row and its delivery attempts"
    static let valueOptions: Set<String> = ["--format"]
    static let flagOptions: Set<String> = []
    static let help = """
        Usage: herald outbox show ID [--format table|json]

        The row (message, provider template and params, status, next attempt, last error, the
        provider that accepted it and its cost) and each attempt: when, provider, outcome, HTTP
        status, latency and error. Failover to the next provider shows as one line per provider
        called. Exit status: 0 shown; 2 no such row, usage, config or store error.
        """

    static func run(positionals: [String], options: ParsedArguments, context: CommandContext) throws -> ExitCode {
        guard positionals.count == 1 else { throw ParsedArguments.UsageError(description: "outbox show takes one row id") }
        let key = try OutboxCommandSupport.rowID(positionals[0])
        let format = try context.outputFormat(options)
        let (config, queue) = try OutboxCommandSupport.open(context)
        guard let (entry, attempts) = try queue.entry(key: key) else {
            context.console.printError("herald: no outbox row \(key)")
            return .failure
        }
        let view = OutboxView(defaultZone: config.timeZone)
        if format == "json" {
            context.console.print(view.json(entry, attempts: attempts).rendered(pretty: true))
            return .success
        }
        let zone = view.zone(of: entry)
        var lines = view.table([entry]) + [""]
        if let title = entry.title { lines.append(title) }
        lines.append(entry.text)
        lines += ProviderContentLines.lines(entry.providerContent).map { "  " + $0 }
        var facts = ["idempotency key \(entry.idempotencyKey)",
                     "next attempt " + InstantFormatter.string(from: entry.nextAttemptAt, in: zone)]
        if let provider = entry.provider {
            facts.append("accepted by \(provider)" + (entry.providerID.map { " as \($0)" } ?? "")
                         + (entry.costMillifen.map { String(format: ", cost ¥%.4f", Double($0) / 100_000) } ?? ""))
        }
        lines += ["", facts.joined(separator: "; "), "", "Attempts (\(attempts.count))"]
        lines += TextTable.aligned(attempts.map { attempt in
            ["  \(attempt.number)", InstantFormatter.string(from: attempt.startedAt, in: zone), attempt.provider ?? "-",
             attempt.outcome, attempt.httpStatus.map { "HTTP \($0)" } ?? "-",
             attempt.latencyMilliseconds.map { "\($0) ms" } ?? "-", attempt.error ?? ""]
        })
        context.console.print(lines.joined(separator: "\n"))
        return .success
    }
}
