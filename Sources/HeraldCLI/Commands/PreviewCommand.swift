import Foundation
import HeraldCore
import HeraldStore
import HeraldWorker

/// `herald preview`: who would get what, when, and why others would not — without sending
/// or writing anything (SPEC 3). The same `Scheduler` as `herald run`.
enum PreviewCommand: HeraldCommand {
    static let words = ["preview"]
    static let summary = "show who would get which message when, and why others would not (sends nothing)"
    static let valueOptions: Set<String> = ["--at", "--trigger", "--member", "--format", "--sandbox"]
    static let flagOptions: Set<String> = []
    static let help = """
        Usage: herald preview [--sandbox DIR] [--at INSTANT] [--trigger ID] [--member ID]
                              [--format table|json]

        Evaluates every enabled trigger at one instant, exactly as 'herald run' would, and
        prints the planned messages (rendered, with channel, member-local send time and SMS
        segments) and every suppressed member with the reason: duplicate, audience,
        no_channel, no_consent, cap, holdout, invalid_data (stored data Herald cannot use) or
        too_long (an SMS beyond sms.max_segments). Nothing is sent and no store is written.

        Options:
          --sandbox DIR       use DIR/herald.json5, DIR/members.csv (or .ndjson) and DIR/events.ndjson,
                              loaded into a throwaway store
          --at INSTANT        evaluate at this instant: 2026-02-28T09:30:00+08:00, …Z, or local
                              'YYYY-MM-DD HH:MM:SS' in the config's zone (default: sandbox.at with
                              --sandbox, else now)
          --trigger ID        show only this trigger (all are evaluated, so caps see earlier triggers)
          --member ID         evaluate for this member only (exit status 2 when the store has no
                              such member)
          --format table|json (default: table on a terminal, json otherwise)

        Link tokens and coupon codes in a preview come from a fixed seed, so the same
        preview prints the same codes; real sends draw fresh random ones.
        Exit status: 0 done; 2 usage, config or I/O error.
        """

    static func run(positionals: [String], options: ParsedArguments, context: CommandContext) throws -> ExitCode {
        guard positionals.isEmpty else {
            throw ParsedArguments.UsageError(description: "preview takes no arguments besides its options")
        }
        let format = try context.outputFormat(options)
        let catalog: Catalog
        let store: any MemberStore
        let instant: Date
        var sandbox: SandboxSession?
        if let folder = options.options["--sandbox"] {
            let config = try ConfigLoader.load(path: SandboxDay.configPath(folder))
            instant = try atOption(options, zone: config.timeZone) ?? config.sandboxAt ?? context.clock.now()
            let session = try SandboxSession(folder: folder, clock: context.clock, horizon: instant) { file in
                try RejectsWriter(console: context.console, inputName: file, rejectsPath: nil)
            }
            catalog = session.catalog
            store = session.store
            sandbox = session
        } else {
            catalog = try context.loadCatalog()
            store = try StoreFactory.open(catalog.config, access: .readOnly)
            instant = try atOption(options, zone: catalog.config.timeZone) ?? context.clock.now()
        }
        if let triggerID = options.options["--trigger"], catalog.trigger(id: triggerID) == nil {
            throw ParsedArguments.UsageError(description:
                "--trigger: no trigger '\(triggerID)' (known: \(catalog.triggers.map(\.id).joined(separator: ", ")))")
        }
        // A mistyped id would otherwise preview nobody and look like "nothing to send".
        if let memberID = options.options["--member"], try store.member(id: memberID) == nil {
            context.console.printError("herald: --member: no member with id '\(SensitiveText.shortened(memberID))' in the store")
            return .failure
        }
        var codes = SendCodes.Source.seededByInstant.codes(at: instant)
        let evaluation = try Scheduler(catalog: catalog, store: store)
            .evaluate(at: instant, memberID: options.options["--member"], codes: &codes)
        let report = PreviewReport(evaluation: evaluation, catalog: catalog, triggerID: options.options["--trigger"])
        context.console.print(format == "json" ? report.json.rendered(pretty: true) : report.table)
        withExtendedLifetime(sandbox) {}  // its folder holds the store
        return .success
    }

    private static func atOption(_ options: ParsedArguments, zone: TimeZone) throws -> Date? {
        guard let text = options.options["--at"] else { return nil }
        guard let parsed = InstantParser(defaultTimeZone: zone).parse(text) else {
            throw ParsedArguments.UsageError(description: "--at: expected \(InstantParser.expectedFormat), found '\(text)'")
        }
        return parsed
    }
}
