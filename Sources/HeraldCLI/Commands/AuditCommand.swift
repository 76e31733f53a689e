import Foundation
import HeraldCore
import HeraldStore

/// `herald audit`: who did what to the store, and whether the record of it is whole.
enum AuditCommand: HeraldCommand {
    static let words = ["audit"]
    static let summary = "show the operators' actions (who, when, what, how many), or --verify their hash chain"
    static let valueOptions: Set<String> = ["--since", "--actor", "--format"]
    static let flagOptions: Set<String> = ["--verify"]
    static let help = """
        Usage: herald audit [--since YYYY-MM-DD] [--actor NAME] [--format table|json]
               herald audit --verify

        Every operator action on the store, oldest first: import members, ingest, outbox
        retry and cancel, suppress add and remove, members forget and export, store copy,
        and herald run's config reloads — with its actor (--actor on the command,
        else the OS user), time (in the config's time zone), and what it affected. Entries
        name counts and ids, never an address. The log is append-only, each entry's hash
        covering its fields and the entry before: --verify reads the whole chain, names the
        first entry that was changed, removed or slipped in, and prints the last entry's hash.
        The hash has no key: someone who can write to the store could rewrite the chain from
        an entry on. Keep the printed hash elsewhere: if a later 'herald audit --format json'
        no longer lists it, the chain was rewritten or cut off at the end.

        Here --actor filters the entries by who acted (the global --actor names who acts).

        Exit status: 0 listed, or the chain is whole; 1 the chain is broken; 2 usage,
        config or store error.
        """

    static func run(positionals: [String], options: ParsedArguments, context: CommandContext) throws -> ExitCode {
        guard positionals.isEmpty else { throw ParsedArguments.UsageError(description: "audit takes no arguments") }
        let (config, store) = try context.openStore(.readOnly)
        if options.flags.contains("--verify") {
            guard options.options["--since"] == nil, options.options["--format"] == nil else {
                throw ParsedArguments.UsageError(description: "--verify reads the whole chain: it takes no --since or --format")
            }
            let verification = try store.verifyAuditLog()
            if let broken = verification.firstBroken {
                context.console.printError("herald: the audit log is broken at entry \(broken): "
                    + (verification.problem ?? "its hash does not match"))
                return .rowsRejected
            }
            context.console.print("audit log: \(verification.entries) entr\(verification.entries == 1 ? "y" : "ies"), "
                + "hash chain intact" + (verification.lastHash.map { "; last hash \($0)" } ?? ""))
            return .success
        }
        let format = try context.outputFormat(options)
        let since = try self.since(options, zone: config.timeZone)
        var table = StreamedTable(header: ["#", "AT", "ACTOR", "ACTION", "DETAIL"], rightAligned: [0],
                                  console: context.console)
        try store.forEachAuditEntry(since: since, actor: options.options["--actor"]) { entry in
            let at = InstantFormatter.string(from: entry.at, in: config.timeZone)
            if format == "json" {
                context.console.print(JSONOutput.object([
                    ("seq", .integer(entry.sequence)), ("at", .string(at)),
                    ("actor", .string(SensitiveText.masked(entry.actor))), ("action", .string(entry.action)),
                    ("detail", .string(SensitiveText.masked(entry.detail))), ("hash", .string(entry.hash)),
                ]).rendered(pretty: false))
            } else {
                // Stored text shown as everywhere: masked, one line (a tampered row may carry anything).
                table.append([String(entry.sequence), at, entry.actor, entry.action, entry.detail].map {
                    SensitiveText.withoutControlCharacters(SensitiveText.masked($0), keepingNewlines: false)
                })
            }
        }
        if format != "json" {
            table.finish()
            context.console.print("\(table.rows) entr\(table.rows == 1 ? "y" : "ies")")
        }
        return .success
    }

    /// The start of `--since`'s day in the config's time zone.
    private static func since(_ options: ParsedArguments, zone: TimeZone) throws -> Date? {
        guard let day = try options.day("--since") else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day))
    }
}
