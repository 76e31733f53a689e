import Foundation
import HeraldCore
import HeraldStore

/// `herald members forget ID…`: a PIPL erasure request — the member's identifiers erased,
/// their pending sends cancelled, an erasure receipt in the audit log.
enum MembersForgetCommand: HeraldCommand {
    static let words = ["members", "forget"]
    static let summary = "erase members' personal data (PIPL), keeping anonymous counts for reports"
    static let valueOptions: Set<String> = ["--file"]
    static let flagOptions: Set<String> = ["--suppress"]
    static let help = """
        Usage: herald members forget ID... [--suppress]
               herald members forget --file FILE [--suppress]

        For each member: erases name, phone, e-mail, push token, openid, birthday, region,
        registration channel, tags and the member id itself (replaced by erased:<hash>);
        clears the free-text attributes of their events and the address and text of their
        messages; cancels their pending sends; sets every consent to no. Anonymous rows
        stay (a send's channel, status and times; an event's type, time and amount), so past
        reports keep their counts. Each erasure is recorded in the audit log by the SHA-256
        of the id, with its actor (--actor, else the OS user) and counts.

        --suppress first puts the member's addresses on the suppression list, for a request
        never to be contacted again: the addresses then stay in the store (the list needs them).
        --file FILE reads one id per line (blank lines and lines starting with # skipped).

        Rows being sent at that instant are left alone; run the command again with the same
        id once they settle. On SQLite, erased content is zeroed in the file and the write-
        ahead log truncated (stop workers first if it says a reader kept it; docs/privacy.md).

        Exit status: 0 every member erased; 1 some ids were not found (the others are
        erased); 2 usage, config or store error.
        """

    static func run(positionals: [String], options: ParsedArguments, context: CommandContext) throws -> ExitCode {
        let ids = try memberIDs(positionals, file: options.options["--file"])
        let suppress = options.flags.contains("--suppress")
        let config = try context.loadConfig()
        let store = try StoreFactory.open(config.store)
        var missing = 0
        for id in ids {
            guard let receipt = try store.forgetMember(id: id, suppress: suppress, at: context.clock.now()) else {
                context.console.printError("herald: no member with id '\(id)' in \(config.store)")
                missing += 1
                continue
            }
            let counts = "\(receipt.cancelledSends) pending sends cancelled, \(receipt.clearedMessages) messages and "
                + "\(receipt.clearedEvents) events cleared, \(receipt.suppressedAddresses) addresses suppressed"
            try context.audit(store, "members forget", "member sha256:\(receipt.memberIDHash): \(counts)")
            context.console.print("\(id): erased (\(counts))")
            if receipt.sendingMessages > 0 {
                context.console.printError("herald: \(id): \(receipt.sendingMessages) messages are being sent right now "
                    + "and keep their text; run 'herald members forget \(id)' again once they settle")
            }
        }
        if ids.count > missing, try !store.purgeErasedData() {
            context.console.printError("herald: warning: another connection is reading the store, so its write-ahead log "
                + "still holds erased data; stop the workers and run 'herald members forget' again")
        }
        return missing == 0 ? .success : .rowsRejected
    }

    private static func memberIDs(_ positionals: [String], file: String?) throws -> [String] {
        guard let file else {
            guard !positionals.isEmpty else {
                throw ParsedArguments.UsageError(description: "members forget takes member ids, or --file FILE")
            }
            return positionals
        }
        guard positionals.isEmpty else {
            throw ParsedArguments.UsageError(description: "members forget takes member ids or --file FILE, not both")
        }
        let lines = try LineReader(path: file, maximumLineBytes: 4_096)
        var ids: [String] = []
        var bytes: [UInt8] = []
        while case .line(let number, let isTruncated) = try lines.next(into: &bytes) {
            let id = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if id.isEmpty || id.hasPrefix("#") { continue }
            guard !isTruncated, id.utf8.count <= 128 else {
                throw ParsedArguments.UsageError(description: "\(file):\(number): expected a member id of at most 128 bytes")
            }
            ids.append(id)
        }
        return ids
    }
}
