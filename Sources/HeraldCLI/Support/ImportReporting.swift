import Foundation
import HeraldCore
import HeraldStore

/// What `import members` and `ingest` share: the rejects writer, the summary line, the exit status.
enum ImportReporting {
    static func run(inputName: String, rejectsPath: String?, context: CommandContext,
                    _ body: (RejectsWriter) throws -> ImportSummary) throws -> ExitCode {
        let rejects = try RejectsWriter(console: context.console, inputName: inputName, rejectsPath: rejectsPath)
        let started = ContinuousClock.now
        let summary = try body(rejects)
        try rejects.finish()
        let seconds = (ContinuousClock.now - started).inSeconds
        context.console.print("\(inputName): \(summary) in \(String(format: "%.2f", seconds)) s")
        if summary.rejected > 0, let rejectsPath {
            context.console.print("rejected rows written to \(rejectsPath)")
        }
        return summary.rejected > 0 ? .rowsRejected : .success
    }
}
