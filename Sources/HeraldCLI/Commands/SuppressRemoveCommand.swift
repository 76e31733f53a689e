import Foundation
import HeraldCore
import HeraldStore

/// `herald suppress remove ADDRESS…`: the explicit way back onto the air, for an address
/// that was listed by mistake or whose owner opted in again.
enum SuppressRemoveCommand: HeraldCommand {
    static let words = ["suppress", "remove"]
    static let summary = "take addresses off the address suppression list"
    static let valueOptions: Set<String> = ["--kind"]
    static let flagOptions: Set<String> = []
    static let help = """
        Usage: herald suppress remove ADDRESS... [--kind K]

        Takes each address off the suppression list. Members who carry it are planned again
        only where they have the consent the trigger needs: removing an address re-enables no
        consent (an opt-out reply also set the members' consent to no).
        \(SuppressCommandSupport.kindHelp)

        Exit status: 0 all removed; 1 some were not addresses or not on the list; 2 none was
        on the list, usage, config or store error.
        """

    static func run(positionals: [String], options: ParsedArguments, context: CommandContext) throws -> ExitCode {
        guard !positionals.isEmpty else {
            throw ParsedArguments.UsageError(description: "suppress remove takes one or more addresses")
        }
        let (addresses, problems) = try SuppressCommandSupport.addresses(positionals, options: options)
        problems.forEach(context.console.printError)
        let (_, store) = try context.openStore()
        let removed = addresses.isEmpty ? 0 : try store.unsuppress(addresses)
        let missing = Set(addresses).count - removed
        try context.audit(store, "suppress remove",
                          "removed \(removed), not listed \(missing), not addresses \(problems.count)")
        context.console.print("removed: \(SuppressCommandSupport.addresses(removed)), "
            + "\(missing) not on the list")
        return .batch(done: removed, notFound: missing, rejected: problems.count)
    }
}
