import Foundation
import HeraldCore
import HeraldDelivery
import HeraldStore
import HeraldWorker

/// `herald validate`: checks the config, every trigger file and every template, and
/// prints all problems at once with file:line:column.
enum ValidateCommand: HeraldCommand {
    static let words = ["validate"]
    static let summary = "check herald.json5, Triggers/ and MessageTemplates/; print every problem"
    static let valueOptions: Set<String> = []
    static let flagOptions: Set<String> = []
    static let help = """
        Usage: herald validate [PATH]

        Reads the config (PATH: a herald.json5, or a folder holding one; default: --config,
        ./herald.json5, /etc/herald/herald.json5), every Triggers/*.json5 and every
        MessageTemplates/<template>/<channel>.<locale>.txt, and checks them against each
        other: unknown keys, types, durations, windows that never open outside quiet hours,
        channels missing from the config, templates missing for a channel in the default
        locale, placeholders a trigger cannot fill, filters that do not fit, SMS longer than
        sms.max_segments in the worst case, numbers and durations outside their ranges, and
        everything 'herald run' checks before it starts: channel URLs and headers with their
        secrets filled in, body placeholders, log files, the store path. A secret this machine
        does not have is a warning. Every problem is printed as FILE:LINE:COLUMN: message.

        Exit status: 0 valid; 1 problems found; 2 usage error.
        """

    static func run(positionals: [String], options: ParsedArguments, context: CommandContext) throws -> ExitCode {
        guard positionals.count <= 1 else {
            throw ParsedArguments.UsageError(description: "validate takes at most one PATH")
        }
        var path = try positionals.first ?? context.configPath()
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            path = (path as NSString).appendingPathComponent("herald.json5")
        }
        let log = DiagnosticLog()
        let catalog = CatalogLoader.load(configPath: path, log: log)
        // What start-up would refuse about the channels and providers (URLs with secrets filled
        // in, body placeholders, log files, keys): reported here too. Secrets this machine
        // lacks are warnings.
        // Template mappings are checked against the providers that can reach them.
        if let config = catalog?.config ?? ConfigLoader.load(path: path, log: DiagnosticLog()) {
            let channels = catalog.map { ChannelFactory.check($0, secrets: .system) }
                ?? ChannelFactory.check(config, secrets: .system)
            // A value the config check already refused (a URL with a space) is not reported twice.
            let reported = Set(log.diagnostics.map { "\($0.file):\($0.position.map(\.description) ?? "")" })
            for problem in channels.problems
                where !reported.contains("\(problem.file):\(problem.position.map(\.description) ?? "")") {
                log.add(problem)
            }
            for warning in channels.warnings {
                context.console.printError(Diagnostic(file: warning.file, position: warning.position,
                                                      message: "warning: " + warning.message).description)
            }
            if config.store.carriesPassword {
                context.console.printError(Diagnostic(file: path, message: "warning: store.postgres: the URL carries "
                    + "a password; keep it out of the config (passfile=, PGPASSFILE or PGPASSWORD: docs/operating.md)")
                    .description)
            }
            checkStoreKey(config, log: log, console: context.console)
        }
        guard let catalog, log.isEmpty else {
            for diagnostic in log.diagnostics { context.console.printError(diagnostic.description) }
            let files = Set(log.diagnostics.map(\.file)).count
            context.console.printError("\(log.count) problem\(log.count == 1 ? "" : "s") in \(files) file\(files == 1 ? "" : "s")")
            return .problemsFound
        }
        let enabled = catalog.triggers.filter(\.enabled).count
        context.console.print("\(path): valid — \(catalog.triggers.count) triggers (\(enabled) enabled), "
                              + "\(catalog.templates.count) templates, \(catalog.config.channels.count) channels")
        return .success
    }

    /// `store.key` as start-up would take it: a bad key is a problem, one this machine lacks a
    /// warning, and a key written into the config itself (not the sandbox's dev key) a warning.
    private static func checkStoreKey(_ config: HeraldConfig, log: DiagnosticLog, console: Console) {
        guard let setting = config.storeKey else { return }
        var lenient = SecretSource.system
        let absent = AbsentSecrets()
        lenient.absent = absent
        var problem: Diagnostic?
        do {
            _ = try StoreKeys(resolving: setting, secrets: lenient)
        } catch let diagnostic as Diagnostic {
            problem = diagnostic
        } catch {
            problem = setting.key.problem("\(error)")
        }
        // A stand-in for an absent secret does not decode: that is the warning, not a problem.
        if absent.warnings.isEmpty, let problem { log.add(problem) }
        for warning in absent.warnings {
            console.printError(Diagnostic(file: warning.file, position: warning.position,
                                          message: "warning: " + warning.message).description)
        }
        for text in [setting.key] + [setting.previousKey].compactMap({ $0 })
            where !text.text.contains("{{") && text.text != StoreKeys.sandboxKeyText {
            console.printError(text.problem("warning: the store key is written into the config; keep it in a systemd "
                                            + "credential or the environment: key: \"{{ secret.HERALD_STORE_KEY }}\"").description)
        }
    }
}
