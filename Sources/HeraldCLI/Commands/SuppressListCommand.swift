import Foundation
import HeraldCore
import HeraldStore

/// `herald suppress list [ADDRESS…]`: what is on the address suppression list, since when
/// and why — addresses masked, as everywhere; name one to ask whether it is listed.
enum SuppressListCommand: HeraldCommand {
    static let words = ["suppress", "list"]
    static let summary = "show the address suppression list (addresses masked)"
    static let valueOptions: Set<String> = ["--kind", "--format"]
    static let flagOptions: Set<String> = []
    static let help = """
        Usage: herald suppress list [ADDRESS...] [--kind K] [--format table|json]

        The suppression list's entries, oldest first: when each was added (in the config's
        time zone), its kind, the address masked, the provider that reported it (none when
        an operator added it) and why. With addresses, only their entries: a way to ask
        whether a number is listed without showing anyone else's. --format defaults to a table
        on a terminal and JSON lines (one object per entry) when piped.
        \(SuppressCommandSupport.kindHelp)

        Exit status: 0 listed (with addresses: every one is on the list); 1 some named
        addresses are not on it, or are not addresses; 2 none named is on it, usage, config or
        store error.
        """

    static func run(positionals: [String], options: ParsedArguments, context: CommandContext) throws -> ExitCode {
        let format = try context.outputFormat(options)
        let (addresses, problems) = try SuppressCommandSupport.addresses(positionals, options: options)
        problems.forEach(context.console.printError)
        if !positionals.isEmpty && addresses.isEmpty { return .rowsRejected }
        let (config, store) = try context.openStore(.readOnly)
        var table = StreamedTable(header: ["SINCE", "KIND", "ADDRESS", "PROVIDER", "REASON"], console: context.console)
        var found = Set<String>()
        try store.forEachSuppressedAddress(kind: try SuppressCommandSupport.kind(options), only: addresses) { entry in
            if !addresses.isEmpty { found.insert(entry.address.address) }
            let since = InstantFormatter.string(from: entry.createdAt, in: config.timeZone)
            if format == "json" {
                context.console.print(JSONOutput.object([
                    ("since", .string(since)), ("kind", .string(entry.address.kind.rawValue)),
                    ("address", .string(entry.address.masked)), ("provider", .optional(entry.provider)),
                    ("reason", .string(entry.reason)),
                ]).rendered(pretty: false))
            } else {
                table.append([since, entry.address.kind.rawValue, entry.address.masked, entry.provider ?? "-",
                              entry.reason])
            }
        }
        if format != "json" {
            table.finish()
            context.console.print("\(SuppressCommandSupport.addresses(table.rows)) listed")
        }
        let unlisted = addresses.filter { !found.contains($0.address) }
        for address in unlisted {
            context.console.printError("herald: \(address.masked) is not on the suppression list")
        }
        return .batch(done: addresses.count - unlisted.count, notFound: unlisted.count, rejected: problems.count)
    }
}
