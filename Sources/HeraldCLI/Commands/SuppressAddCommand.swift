import Foundation
import HeraldCore
import HeraldStore

/// `herald suppress add ADDRESS…`: addresses nothing is sent to again, whichever member
/// carries them (a complaint, a number a customer asked to be left alone, a PIPL request).
enum SuppressAddCommand: HeraldCommand {
    static let words = ["suppress", "add"]
    static let summary = "put phones, e-mails or openids on the address suppression list"
    static let valueOptions: Set<String> = ["--kind", "--reason"]
    static let flagOptions: Set<String> = []
    static let help = """
        Usage: herald suppress add ADDRESS... [--kind K] [--reason TEXT]

        Puts each address on the suppression list: planning skips every member who carries it
        (reason address_suppressed), and rows already waiting for it are cancelled at their
        re-check right before the call. An address already listed keeps its first entry.
        \(SuppressCommandSupport.kindHelp)
        The entry records who added it (--actor, else the OS user) and --reason (at most 200
        characters).

        Exit status: 0 all added or already listed; 1 some were not addresses (the others
        are added); 2 usage, config or store error.
        """

    static func run(positionals: [String], options: ParsedArguments, context: CommandContext) throws -> ExitCode {
        guard !positionals.isEmpty else {
            throw ParsedArguments.UsageError(description: "suppress add takes one or more addresses")
        }
        // Masked: an operator may type a number into it, and the audit log cannot be edited.
        let note = options.options["--reason"].map {
            SensitiveText.masked($0.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        if let note, note.isEmpty || note.count > 200 || note.contains(where: \.isNewline) {
            throw ParsedArguments.UsageError(description: "--reason: expected 1 to 200 characters on one line")
        }
        let (addresses, problems) = try SuppressCommandSupport.addresses(positionals, options: options)
        problems.forEach(context.console.printError)
        let (_, store) = try context.openStore()
        let reason = "added by \(context.actor)" + (note.map { ": " + $0 } ?? "")
        let added = addresses.isEmpty ? 0 : try store.suppress(addresses, reason: reason, at: context.clock.now())
        let distinct = Set(addresses).count
        try context.audit(store, "suppress add", "added \(added), already listed \(distinct - added), "
            + "not addresses \(problems.count)" + (note.map { "; reason: " + $0 } ?? ""))
        context.console.print("suppressed: \(SuppressCommandSupport.addresses(added)) added, "
            + "\(distinct - added) already listed")
        return problems.isEmpty ? .success : .rowsRejected
    }
}
