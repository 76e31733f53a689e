import Foundation
import HeraldCore
import HeraldStore
import HeraldWorker

/// `herald ingest FILE|-`: streams events into the store and applies their effects.
enum IngestCommand: HeraldCommand {
    static let words = ["ingest"]
    static let summary = "load events (NDJSON, '-' for standard input); each event id is stored once"
    static let valueOptions: Set<String> = ["--rejects", "--batch-size"]
    static let flagOptions: Set<String> = []
    static let help = """
        Usage: herald ingest FILE|- [--rejects FILE]

        Loads events (SPEC 1.5), one JSON object per line: { "id", "member_id", "type", "at", … }.
        An event without an id gets one derived from the line's content, so ingesting the same
        file twice stores each event once. Effects: activity updates last activity; topup and
        stored_value_spend change the stored value; points_earn adds a lot and points_spend
        takes from the lots that expire first; opt_out / opt_in set a channel's consent.

        With '-' it reads standard input as it arrives and commits whenever the input pauses
        for a tenth of a second, so it can sit at the end of a pipe. Every transaction is
        also cut at 250 ms, so a running worker never waits long for the store.

        Options:
          --batch-size N       at most N rows per transaction (default 100000; a transaction
                               also ends after 250 ms)
          --rejects FILE       write rejected lines there unchanged

        Events for a member id the store does not know are rejected: import members first.
        Exit status: 0 all lines landed; 1 some were rejected; 2 usage, config or I/O error.
        """

    static func run(positionals: [String], options: ParsedArguments, context: CommandContext) throws -> ExitCode {
        guard positionals.count == 1, let path = positionals.first else {
            throw ParsedArguments.UsageError(description: "ingest takes exactly one FILE (or - for standard input)")
        }
        let config = try context.loadConfig()
        let lines = try LineReader(path: path, idleTimeout: path == "-" ? 0.1 : nil)
        let store = try StoreFactory.open(config)
        let ingester = try store.makeEventIngester(defaultTimeZone: config.timeZone, clock: context.clock,
                                                   batchSize: try options.positiveInteger("--batch-size") ?? 100_000)
        // Older than the store keeps events: their ids may be deleted already (retention.events).
        ingester.oldestAccepted = config.retention.events.map { context.clock.now().addingTimeInterval(-Double($0.seconds)) }
        return try ImportReporting.run(inputName: lines.path, rejectsPath: options.options["--rejects"],
                                       context: context,
                                       store: store, action: "ingest") {
            try ingester.ingest(from: lines, sink: $0)
        }
    }
}
