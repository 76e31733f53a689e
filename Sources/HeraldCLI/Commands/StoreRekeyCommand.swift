import Foundation
import HeraldCore
import HeraldStore
import HeraldWorker

/// `herald store rekey`: every value re-sealed under `store.key` — encrypting a store that
/// had none, or finishing a rotation from `store.previous_key` — a batch a transaction.
enum StoreRekeyCommand: HeraldCommand {
    static let words = ["store", "rekey"]
    static let summary = "re-seal every name, address and message under store.key (encrypt, or rotate keys)"
    static let valueOptions: Set<String> = ["--batch"]
    static let flagOptions: Set<String> = []
    static let help = """
        Usage: herald store rekey [--batch N]

        Re-seals every member's name and addresses, every message's address and texts, and
        the suppression list under store.key, N rows a transaction (default 1,000; at most
        100,000), then forgets the old key: from then on the store opens with store.key alone.

        To encrypt a store that has no key yet: set store.key, restart every worker, run this.
        To rotate: set store.key to the new key and store.previous_key to the old one, restart
        every worker (they read both while this runs), run this, then remove previous_key.
        Workers keep running meanwhile; each batch holds the store for one short transaction.
        Stopped half-way, the store still opens with both keys: run it again to finish.
        Recorded in the audit log. docs/privacy.md has the whole procedure.

        Exit status: 0 done; 2 usage, config, a missing key or a store error.
        """

    static func run(positionals: [String], options: ParsedArguments, context: CommandContext) throws -> ExitCode {
        guard positionals.isEmpty else {
            throw ParsedArguments.UsageError(description: "store rekey takes no arguments (only --batch N)")
        }
        let batch = try options.options["--batch"].map { text in
            guard let value = Int(text), (1...100_000).contains(value) else {
                throw ParsedArguments.UsageError(description: "--batch: expected a number of rows from 1 to 100000, found '\(SensitiveText.shortened(text))'")
            }
            return value
        } ?? 1_000
        let (config, store) = try context.openStore()
        guard let keyID = store.encryptionKeyID else {
            throw StoreUnavailableError(description: "store rekey needs store.key in \(config.sourcePath): "
                + "key: \"{{ secret.HERALD_STORE_KEY }}\", a 32-byte key in base64 (`openssl rand -base64 32`)")
        }
        context.console.print("re-sealing \(config.store) under key \(keyID), \(batch) rows a transaction")
        var shown = StoreRekeyReport()
        let report = try store.rekey(batchSize: batch) { progress in
            // A line per 100,000 rows: a large store says it is moving without flooding the terminal.
            let total = progress.members + progress.messages + progress.suppressions
            if total / 100_000 > (shown.members + shown.messages + shown.suppressions) / 100_000 {
                context.console.print("  \(progress.members) members, \(progress.messages) messages, "
                                      + "\(progress.suppressions) list entries so far")
            }
            shown = progress
        }
        let retired = report.retiredKeys.isEmpty ? "none" : report.retiredKeys.joined(separator: ", ")
        try context.audit(store, "store rekey", "key \(keyID): \(report.members) members, \(report.messages) messages, "
                          + "\(report.suppressions) list entries re-sealed; retired: \(retired)")
        context.console.print("re-sealed \(report.members) members, \(report.messages) messages and "
            + "\(report.suppressions) suppression list entries under key \(keyID); retired: \(retired)")
        if !report.retiredKeys.filter({ $0 != "plaintext" }).isEmpty {
            context.console.print("the store now opens with store.key alone: remove store.previous_key from the config")
        }
        return .success
    }
}
