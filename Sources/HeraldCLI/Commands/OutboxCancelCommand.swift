import Foundation
import HeraldCore
import HeraldStore

/// `herald outbox cancel ID|--trigger T`: stop sends that should not go out.
enum OutboxCancelCommand: HeraldCommand {
    static let words = ["outbox", "cancel"]
    static let summary = "cancel a pending row, or every pending row of a trigger"
    static let valueOptions: Set<String> = ["--trigger"]
    static let flagOptions: Set<String> = []
    static let help = """
        Usage: herald outbox cancel ID | --trigger ID

        Cancels pending rows. Rows being sent right now are left alone (their call may already
        have reached the gateway); run it again once they settle, or check 'outbox list'.

        Exit status: 0 cancelled (with --trigger: also when none was pending); 1 the row is in
        another state; 2 no such row, usage, config or store error.
        """

    static func run(positionals: [String], options: ParsedArguments, context: CommandContext) throws -> ExitCode {
        let trigger = options.options["--trigger"]
        guard trigger == nil ? positionals.count == 1 : positionals.isEmpty else {
            throw ParsedArguments.UsageError(description: "outbox cancel takes one row id, or --trigger ID")
        }
        let key = try positionals.first.map(OutboxCommandSupport.rowID)
        let (_, store, queue) = try OutboxCommandSupport.openWithStore(context)
        let count = try queue.cancel(key: key, triggerID: trigger, by: context.actor, now: context.clock.now())
        let target = key.map { "row \($0)" } ?? "trigger \(trigger ?? "")"
        try context.audit(store, "outbox cancel", "\(target): \(count) cancelled")
        // One row left alone is explained instead of counted.
        if count == 0, let key {
            return try OutboxCommandSupport.explainUntouched(key, in: queue, wanted: "only pending rows are cancelled",
                                                             console: context.console)
        }
        context.console.print("cancelled: \(count) row\(count == 1 ? "" : "s")")
        return .success
    }
}
