import Foundation
import HeraldCore
import HeraldStore

/// `herald members export ID`: a PIPL access request — all that is stored about a member.
enum MembersExportCommand: HeraldCommand {
    static let words = ["members", "export"]
    static let summary = "print all that is stored about a member as JSON (PIPL access request)"
    static let valueOptions: Set<String> = ["--output"]
    static let flagOptions: Set<String> = []
    static let help = """
        Usage: herald members export ID [--output FILE]

        Prints, as one JSON object, every row the store holds about the member, table by
        table and column by column as stored: the profile, tags, derived state, events
        (with their payload as received), points lots, messages and their delivery attempts,
        planning decisions (held out, suppressed) and the suppression list's entries for
        their addresses. Times (columns named at or ending in _at) are shown in the config's
        time zone. Addresses are NOT masked: this is the member's own data, to hand to them.
        --output FILE writes it to a new file readable by its owner only (0600); an existing
        file (or a symlink) is refused, never overwritten. The export is
        recorded in the audit log (by the SHA-256 of the id).

        Exit status: 0 exported; 2 not found, usage, config or store error.
        """

    static func run(positionals: [String], options: ParsedArguments, context: CommandContext) throws -> ExitCode {
        guard positionals.count == 1, let id = positionals.first else {
            throw ParsedArguments.UsageError(description: "members export takes exactly one member ID")
        }
        let (config, store) = try context.openStore()
        guard let export = try store.exportMember(id: id) else {
            context.console.printError("herald: no member with id '\(SensitiveText.shortened(id))' in \(config.store)")
            return .failure
        }
        let tables = export.tables.map { table in
            (table.name, JSONOutput.array(table.rows.map { row in
                .object(zip(table.columns, row).map { column, text in (column, shown(text, column, config.timeZone)) })
            }))
        }
        let document = JSONOutput.object([
            ("member_id", .string(id)),
            ("exported_at", .string(InstantFormatter.string(from: context.clock.now(), in: config.timeZone))),
            ("tables", .object(tables)),
        ]).rendered(pretty: true)
        // Recorded before the data leaves: an export that was not recorded does not happen.
        let rows = export.tables.reduce(0) { $0 + $1.rows.count }
        try context.audit(store, "members export", "member sha256:\(export.memberIDHash): \(rows) rows")
        if let path = options.options["--output"] {
            try OutputFile.writeNew(document + "\n", to: path)
        } else {
            context.console.print(document)
        }
        return .success
    }

    /// A stored value for people: instants as local times, everything else as stored.
    private static func shown(_ text: String?, _ column: String, _ zone: TimeZone) -> JSONOutput {
        guard let text else { return .null }
        if column == "at" || column.hasSuffix("_at"), let seconds = Int64(text) {
            return .string(InstantFormatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)), in: zone))
        }
        return .string(text)
    }
}
