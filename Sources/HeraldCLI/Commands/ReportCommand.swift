import Foundation
import HeraldCore
import HeraldStore
import HeraldWorker

/// `herald report`: the campaign sheet (SPEC 6) per trigger, day, channel or variant.
enum ReportCommand: HeraldCommand {
    static let words = ["report"]
    static let summary = "reach, clicks, redemptions and holdout lift per trigger (table, csv, json, html)"
    static let valueOptions: Set<String> = ["--since", "--until", "--trigger", "--by", "--format", "--output", "--sandbox",
                                            "--locale"]
    static let flagOptions: Set<String> = ["--no-bom"]
    static let help = """
        Usage: herald report [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--trigger ID]
                             [--by trigger|day|channel|variant] [--format table|csv|json|html]
                             [--output FILE] [--no-bom] [--locale zh-CN|en-US] [--sandbox DIR]

        Per trigger: planned, held out, suppressed (by reason), sent, delivered, failed,
        reached (sent or delivered), clicked, CTR, redeemed (coupon used within its
        validity), conversion (redeemed / reached), and the holdout comparison: members who
        purchased within the attribution window among everyone planned and among the held-out
        control group, with the lift and its 95 % interval (Newcombe's hybrid score method).
        Days are the day of each send's scheduled time on the member's own clock.

        Options:
          --since, --until  first and last day, inclusive (default: all days)
          --trigger ID      one trigger
          --by              rows per trigger (default), per trigger and day, channel or
                            A/B variant; held-out and suppressed members have no channel or
                            variant, so those rows compare with the trigger's whole control group
          --format          table (default on a terminal), csv, json (default in a pipe), html:
                            one self-contained page with charts, no network needed
          --output FILE     write there instead of standard output
          --locale L        headers and trigger names in Chinese (zh-*) or English (default: the
                            config's locale; CSV and JSON keys stay English)
          --no-bom          CSV without the UTF-8 byte order mark it starts with by default
                            (the mark makes Excel read Chinese names as UTF-8, not as GBK)
          --sandbox DIR     the sandbox's simulated day (as 'run --sandbox'), then its later
                            events (clicks, redeems, receipts, purchases), then the report

        A --trigger the config no longer has is reported from what the store keeps (with a
        note). Exit status: 0 written; 2 usage, config, store or I/O error.
        """

    static func run(positionals: [String], options: ParsedArguments, context: CommandContext) throws -> ExitCode {
        guard positionals.isEmpty else {
            throw ParsedArguments.UsageError(description: "report takes no arguments besides its options")
        }
        let format = try context.outputFormat(options, allowed: ["table", "csv", "json", "html"])
        let byText = options.options["--by"] ?? "trigger"
        guard let grouping = ReportGrouping(rawValue: byText) else {
            throw ParsedArguments.UsageError(description: "--by: expected "
                + ReportGrouping.allCases.map(\.rawValue).joined(separator: ", ") + ", found '\(byText)'")
        }
        let period = ReportPeriod(since: try options.day("--since"), until: try options.day("--until"))
        if let since = period.since, let until = period.until, since > until {
            throw ParsedArguments.UsageError(description: "--since \(since) is after --until \(until)")
        }

        let catalog: Catalog
        let store: any MemberStore
        var sandbox: SandboxDay?
        if let folder = options.options["--sandbox"] {
            let quiet = EventLog(minimum: .warning) { line in context.console.printError(String(line.dropLast())) }
            let day = try SandboxDay.run(folder: folder, context: context, log: quiet)
            (catalog, store, sandbox) = (day.session.catalog, day.session.store, day)
        } else {
            catalog = try context.loadCatalog()
            store = try StoreFactory.open(catalog.config, access: .readOnly)
        }
        let triggerID = options.options["--trigger"]
        if let triggerID, catalog.trigger(id: triggerID) == nil {
            context.console.printError("herald: note: '\(triggerID)' is not in the current catalog; showing what the store has")
        }
        let goals = Dictionary(catalog.triggers.compactMap { trigger in trigger.goal.map { (trigger.id, $0) } },
                               uniquingKeysWith: { first, _ in first })
        let query = CampaignReportQuery(period: period, grouping: grouping, triggerID: triggerID, goals: goals)
        let triggerIDs = catalog.triggers.filter(\.enabled).map(\.id)
        var view = CampaignReportView(rows: try store.campaignReport(query, including: triggerIDs), grouping: grouping,
                                      period: period, names: Dictionary(catalog.triggers.map { ($0.id, $0.name) },
                                                                        uniquingKeysWith: { first, _ in first }))
        view.chinese = (options.options["--locale"] ?? catalog.config.locale).lowercased().hasPrefix("zh")
        let text: String
        switch format {
        // Excel takes a CSV without the mark for the system's code page (GBK on Chinese Windows).
        case "csv": text = (options.flags.contains("--no-bom") ? "" : "\u{FEFF}") + view.csv
        case "json": text = view.json.rendered(pretty: true)
        case "html":
            var daily = query
            daily.grouping = .day
            text = CampaignReportPage(view: view, daily: try store.campaignReport(daily)).html
        default: text = view.table
        }
        if let output = options.options["--output"] {
            try OutputFile.write(text + "\n", to: output)
            context.console.printError("herald: report written to \(output)")
        } else {
            context.console.print(text)
        }
        withExtendedLifetime(sandbox) {}  // its folder holds the store
        return .success
    }

}
