import Foundation
import HeraldCore
import HeraldStore

/// `herald members forget ID…`: a PIPL erasure request — the member's identifiers erased,
/// their pending sends cancelled, an erasure receipt in the audit log.
enum MembersForgetCommand: HeraldCommand {
    static let words = ["members", "forget"]
    static let summary = "erase members' personal data (PIPL), keeping anonymous counts for reports"
    static let valueOptions: Set<String> = ["--file"]
    static let flagOptions: Set<String> = ["--suppress", "--sweep"]
    static let help = """
        Usage: herald members forget ID... [--suppress]
               herald members forget --file FILE [--suppress]
               herald members forget --sweep

        For each member: erases name, phone, e-mail, push token, openid, birthday, region,
        registration channel, tags and the member id itself (replaced by a random erased:<uuid>);
        clears the free-text attributes of their events and the address and text of their
        messages; cancels their pending sends; sets every consent to no. Anonymous rows
        stay (a send's channel, status and times; an event's type, time and amount), so past
        reports keep their counts. Each erasure is recorded in the audit log, in the same
        transaction, by the SHA-256 of the id, with its actor (--actor, else the OS user) and counts.

        --suppress first puts the member's addresses on the suppression list, for a request
        never to be contacted again: the addresses then stay in the store (the list needs them).
        --file FILE reads one id per line (blank lines and lines starting with # skipped).

        Rows being sent at that instant are left alone: every run (and --sweep alone) clears
        the messages of members erased before that still hold an address or text. On SQLite,
        erased content is zeroed in the file and the write-ahead log truncated (stop workers
        first if it says a reader kept it; docs/privacy.md).

        Exit status: 0 every member erased; 1 some ids were not found (the others are
        erased); 2 none was found, usage, config or store error.
        """

    static func run(positionals: [String], options: ParsedArguments, context: CommandContext) throws -> ExitCode {
        let sweepOnly = options.flags.contains("--sweep") && positionals.isEmpty && options.options["--file"] == nil
        var seen = Set<String>()
        let ids = sweepOnly ? [] : try memberIDs(positionals, file: options.options["--file"]).filter { seen.insert($0).inserted }
        let suppress = options.flags.contains("--suppress")
        let (config, store) = try context.openStore()
        var missing = 0
        for id in ids {
            // The erasure and its receipt commit together: no erasure without a record of it.
            let receipt: ErasureReceipt? = try store.withTransaction {
                guard let receipt = try store.forgetMember(id: id, suppress: suppress, at: context.clock.now()) else {
                    return nil
                }
                try context.audit(store, "members forget",
                                  "member sha256:\(receipt.memberIDHash): \(summary(of: receipt))")
                return receipt
            }
            guard let receipt else {
                context.console.printError("herald: no member with id '\(SensitiveText.shortened(id))' in \(config.store)")
                missing += 1
                continue
            }
            context.console.print("\(id): erased (\(summary(of: receipt)))")
            if receipt.sendingMessages > 0 {
                context.console.printError("herald: \(id): \(receipt.sendingMessages) messages are being sent "
                    + "right now and keep their text; run 'herald members forget --sweep' once they settle")
            }
        }
        let swept = try store.clearMessagesOfErasedMembers()
        if swept > 0 || sweepOnly {
            context.console.print("swept: \(swept) messages of members erased earlier cleared")
            if swept > 0 { try context.audit(store, "members forget --sweep", "\(swept) messages cleared") }
        }
        if ids.count > missing || swept > 0, try !store.purgeErasedData() {
            context.console.printError("herald: warning: another connection is reading the store, so its "
                + "write-ahead log still holds erased data; stop the workers and run 'herald members forget --sweep'")
        }
        return .batch(done: ids.count - missing, notFound: missing, rejected: 0)
    }

    private static func summary(of receipt: ErasureReceipt) -> String {
        "\(receipt.cancelledSends) pending sends cancelled, \(receipt.clearedMessages) messages and "
            + "\(receipt.clearedEvents) events cleared, \(receipt.suppressedAddresses) addresses suppressed"
    }

    private static func memberIDs(_ positionals: [String], file: String?) throws -> [String] {
        guard let file else {
            guard !positionals.isEmpty else {
                throw ParsedArguments.UsageError(description: "members forget takes member ids, --file FILE or --sweep")
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
                throw ParsedArguments.UsageError(
                    description: "\(file):\(number): expected a member id of at most 128 bytes")
            }
            ids.append(id)
        }
        guard !ids.isEmpty else { throw ParsedArguments.UsageError(description: "\(file): no member ids in it") }
        return ids
    }
}
