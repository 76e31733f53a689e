import Foundation
import HeraldCore
import HeraldStore

/// `herald outbox retry ID|--failed`: back into the queue after a gateway's bad day.
enum OutboxRetryCommand: HeraldCommand {
    static let words = ["outbox", "retry"]
    static let summary = "queue a failed, expired or cancelled row again (or --failed: every failed row)"
    static let valueOptions: Set<String> = []
    static let flagOptions: Set<String> = ["--failed"]
    static let help = """
        Usage: herald outbox retry ID | --failed

        Puts the row (failed, expired or cancelled) or every failed row back in the queue,
        due now, with a fresh attempt budget; the same idempotency key, so a gateway that did
        get an earlier attempt can drop the repeat. A running worker picks them up. The row's
        last error is cleared (every attempt stays in `herald outbox show ID`). A row in any
        other state is left as it is, and said so.

        Exit status: 0 queued; 1 the row is in another state; 2 no such row, usage, config or
        store error.
        """

    static func run(positionals: [String], options: ParsedArguments, context: CommandContext) throws -> ExitCode {
        let all = options.flags.contains("--failed")
        guard all ? positionals.isEmpty : positionals.count == 1 else {
            throw ParsedArguments.UsageError(description: "outbox retry takes one row id, or --failed")
        }
        let key = try positionals.first.map(OutboxCommandSupport.rowID)
        let (_, store, queue) = try OutboxCommandSupport.openWithStore(context)
        let count = try queue.retry(key: key, now: context.clock.now())
        let target = key.map { "row \($0)" } ?? "every failed row"
        try context.audit(store, "outbox retry", "\(target): \(count) queued again")
        // One row left alone is explained instead of counted.
        if count == 0, let key {
            return try OutboxCommandSupport.explainUntouched(
                key, in: queue, wanted: "only failed, expired or cancelled rows are queued again",
                console: context.console)
        }
        context.console.print("queued again: \(count) row\(count == 1 ? "" : "s")")
        return .success
    }
}
