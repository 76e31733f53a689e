import Foundation
import HeraldCore
import HeraldStore
import HeraldWorker

/// `herald store copy --to TARGET`: the config's store copied into another, empty one —
/// SQLite to PostgreSQL or back — then verified by counts and checksums on both sides.
enum StoreCopyCommand: HeraldCommand {
    static let words = ["store", "copy"]
    static let summary = "copy the store into another, empty one (SQLite ⇄ PostgreSQL), verified by checksums"
    static let valueOptions: Set<String> = ["--to"]
    static let flagOptions: Set<String> = []
    static let help = """
        Usage: herald store copy --to TARGET

        Copies every table of the config's store into TARGET, keys included, then reads both
        again and compares each table's row count and checksum (FNV-1a-128 over every value,
        in key order). TARGET is a PostgreSQL URL (postgresql://user@host/database) or an
        SQLite file path; it is created and migrated if needed and must hold no data. Then
        point store in herald.json5 at it.

        Stop every `herald run`, `serve`, import and ingest on the store first: rows written
        during the copy are not in it. A PostgreSQL target takes the rows in one transaction
        (a failed copy leaves it empty); an SQLite target in batches (delete a partial file
        and run again).

        Exit status: 0 copied and verified; 1 copied, but a table differs (see the lines);
        2 usage, config, a target that holds data, or a store error.
        """

    static func run(positionals: [String], options: ParsedArguments, context: CommandContext) throws -> ExitCode {
        guard positionals.isEmpty, let to = options.options["--to"], !to.isEmpty else {
            throw ParsedArguments.UsageError(
                description: "store copy needs --to TARGET (a postgresql:// URL or a file path)")
        }
        let config = try context.loadConfig()
        let target = StoreLocation(parsing: to) { URL(fileURLWithPath: $0).standardizedFileURL.path }
        context.console.print("copying \(config.store) → \(target)")
        let report: StoreCopyReport
        do {
            report = try StoreCopier.copy(from: config.store, keys: StoreKeys(resolving: config.storeKey), to: target) { table in
                let verdict = table.matches ? "same count and checksum"
                    : "DIFFERS: \(table.targetRows) rows, checksum \(String(table.targetChecksum, radix: 16))"
                context.console.print(table.name.padding(toLength: 22, withPad: " ", startingAt: 0)
                    + String(table.sourceRows).leftPadded(to: 11, with: " ") + " rows  "
                    + String(table.sourceChecksum, radix: 16).leftPadded(to: 32) + "  \(verdict)")
            }
        } catch let failure as StoreCopier.Failure {
            context.console.printError("herald: \(failure)")
            return .failure
        }
        let tables = report.tables.count
        // In the source's log: the copy is an operator's action on it (the target's log is the
        // source's, as copied).
        try context.audit(StoreFactory.open(config), "store copy",
                          "to \(target): \(report.rows) rows, \(report.matches ? "verified" : "DIFFERS")")
        guard report.matches else {
            context.console.printError("herald: the copy differs from \(config.store) in "
                + report.tables.filter { !$0.matches }.map(\.name).joined(separator: ", "))
            return .rowsRejected
        }
        let seconds = String(format: "%.1f", report.seconds)
        context.console.print("copied \(tables) tables, \(report.rows) rows in \(seconds) s; "
            + "counts and checksums match on both sides")
        return .success
    }
}
