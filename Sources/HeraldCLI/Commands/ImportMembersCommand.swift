import Foundation
import HeraldCore
import HeraldStore
import HeraldWorker

/// `herald import members FILE`: streams members into the store (upsert by id).
enum ImportMembersCommand: HeraldCommand {
    static let words = ["import", "members"]
    static let summary = "load members from CSV (with a header) or NDJSON; upsert by id"
    static let valueOptions: Set<String> = ["--rejects", "--format", "--batch-size", "--encoding"]
    static let flagOptions: Set<String> = ["--allow-suppressed"]
    static let help = """
        Usage: herald import members FILE [--format csv|ndjson] [--encoding gb18030] [--rejects FILE]
                                          [--allow-suppressed]

        Loads members into the store named by the config. FILE is CSV with a header row
        (columns of SPEC 1.4: id, name, phone, birthday, tags, consent_sms, …) or NDJSON
        (one object per line with the same keys); '-' reads standard input.

        A member is updated when its id exists (upsert). A column absent from the file keeps
        the stored value; a present but empty one clears it. Re-importing the same file
        changes nothing (its rows count as duplicates).

        A row cannot give consent back to an address on the suppression list (herald suppress):
        its consent_<channel> yes is stored as no, with a warning naming the line — unless
        --allow-suppressed is given (the address stays listed either way: nothing is sent to
        it until 'herald suppress remove').

        Options:
          --format csv|ndjson  the file's format (default: from the name; .ndjson/.jsonl → NDJSON,
                               else CSV)
          --encoding NAME      the file's text encoding: utf-8 (default), gb18030, gbk or gb2312 —
                               what Excel saves as "CSV" on Chinese Windows; converted through iconv
          --batch-size N       rows per transaction (default 100000); smaller commits sooner,
                               larger loads faster
          --rejects FILE       write rejected rows there unchanged (CSV: after the header)
          --allow-suppressed   keep a consent yes for an address on the suppression list

        Each rejected row is reported on standard error as FILE:LINE: rejected: reason.
        Exit status: 0 all rows landed; 1 some were rejected; 2 usage, config or I/O error.
        """

    static func run(positionals: [String], options: ParsedArguments, context: CommandContext) throws -> ExitCode {
        guard positionals.count == 1, let path = positionals.first else {
            throw ParsedArguments.UsageError(description: "import members takes exactly one FILE")
        }
        let format: MemberFileFormat
        if let name = options.options["--format"] {
            guard let chosen = MemberFileFormat(rawValue: name) else {
                throw ParsedArguments.UsageError(description: "--format: expected csv or ndjson, found '\(name)'")
            }
            format = chosen
        } else {
            format = MemberFileFormat(forPath: path)
        }
        let config = try context.loadConfig()
        let idleTimeout = path == "-" ? 0.1 : nil
        let lines = try options.options["--encoding"].map { try LegacyEncoding.utf8Lines(of: path, encoding: $0, idleTimeout: idleTimeout) }
            ?? LineReader(path: path, idleTimeout: idleTimeout)
        let store = try StoreFactory.open(config)
        let importer = try store.makeMemberImporter(defaultTimeZone: config.timeZone,
                                                    batchSize: try options.positiveInteger("--batch-size") ?? 100_000)
        importer.allowsConsentToSuppressedAddresses = options.flags.contains("--allow-suppressed")
        let action = "import members" + (importer.allowsConsentToSuppressedAddresses ? " --allow-suppressed" : "")
        return try ImportReporting.run(inputName: lines.path, rejectsPath: options.options["--rejects"],
                                       context: context, store: store, action: action) {
            try importer.importMembers(from: lines, format: format, sink: $0)
        }
    }
}
