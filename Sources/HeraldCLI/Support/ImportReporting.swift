import Foundation
import HeraldCore
import HeraldStore

/// What `import members` and `ingest` share: the rejects writer, the summary line, the exit status.
enum ImportReporting {
    /// Runs `body`, prints its summary and records it in the audit log as `action`.
    static func run(inputName: String, rejectsPath: String?, context: CommandContext, store: any MemberStore,
                    action: String, _ body: (RejectsWriter) throws -> ImportSummary) throws -> ExitCode {
        let rejects = try RejectsWriter(console: context.console, inputName: inputName, rejectsPath: rejectsPath)
        let started = ContinuousClock.now
        let summary: ImportSummary
        do {
            summary = try body(rejects)
        } catch {
            // Batches may have committed before the failure: the attempt is recorded too.
            try? context.audit(store, action, "\(inputName): failed: \(SensitiveText.masked("\(error)"))")
            throw error
        }
        try rejects.finish()
        let seconds = (ContinuousClock.now - started).inSeconds
        context.console.print("\(inputName): \(summary) in \(String(format: "%.2f", seconds)) s")
        try context.audit(store, action, "\(inputName): \(summary)")
        if summary.rejected > 0, let rejectsPath {
            context.console.print("rejected rows written to \(rejectsPath)")
        }
        return summary.rejected > 0 ? .rowsRejected : .success
    }
}
