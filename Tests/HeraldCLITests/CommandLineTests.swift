import Foundation
import Testing
import HeraldCore
@_spi(StoreSQL) import HeraldStore
@_spi(StoreSQL) import HeraldTestSupport
@testable import HeraldCLI

/// Runs `herald` in-process with a captured console.
func herald(_ arguments: [String], clock: any WallClock = SystemWallClock()) -> (status: ExitCode, output: String, error: String) {
    let (console, output, error) = Console.capturing()
    let status = HeraldCommandLine.run(arguments, console: console, clock: clock)
    return (status, output(), error())
}

/// A folder with a config whose store lives inside it.
func configuredFolder() throws -> (folder: TemporaryDirectory, config: String) {
    let folder = try TemporaryDirectory()
    let config = try folder.write("herald.json5", "{ store: { sqlite: 'data/h.db' }, timezone: 'Asia/Shanghai' }")
    return (folder, config)
}

@Suite struct CommandLineTests {
    @Test func helpAndVersion() {
        let overview = herald(["--help"])
        #expect(overview.status == .success)
        #expect(overview.output.contains("import members"))
        #expect(overview.output.contains("Exit status"))
        let commandHelp = herald(["import", "members", "--help"])
        #expect(commandHelp.status == .success && commandHelp.output.hasPrefix("Usage: herald import members FILE"))
        #expect(herald(["--version"]).output == "herald \(HeraldCommandLine.version)\n")
        let bare = herald([])
        #expect(bare.status == .failure && bare.error.contains("Usage: herald") && bare.output.isEmpty)
        #expect(herald(["help"]).status == .success)
    }

    /// One layout for every command's help: its usage first, then what it does, and its exit
    /// statuses — the same three everywhere.
    @Test func everyCommandsHelpHasOneLayout() {
        for command in HeraldCommandLine.commands {
            let name = command.words.joined(separator: " ")
            let help = herald(command.words + ["--help"])
            #expect(help.status == .success && help.output.hasPrefix("Usage: herald \(name)"), "\(name)")
            #expect(help.output.contains("\n\n"), "\(name): a blank line after the usage")
            #expect(help.output.contains("Exit status: 0 "), "\(name) says its exit statuses")
            #expect(!help.output.split(separator: "\n").contains { $0.count > 100 }, "\(name): lines fit a terminal")
        }
    }

    /// `herald help <command>` is `<command> --help`; a group (`herald outbox`) lists its commands.
    @Test func helpForCommandsAndGroups() {
        let viaHelp = herald(["help", "outbox", "list"])
        #expect(viaHelp.status == .success && viaHelp.output == herald(["outbox", "list", "--help"]).output)
        let group = herald(["outbox", "--help"])
        #expect(group.status == .success && group.output.contains("Usage: herald outbox <command>"))
        for command in ["outbox list", "outbox show", "outbox retry", "outbox cancel"] {
            #expect(group.output.contains("  \(command) "), "\(command) missing from the group's help")
        }
        #expect(!group.output.contains("members show"))
        #expect(herald(["help", "members"]).output == herald(["members", "--help"]).output)
        let bare = herald(["store"])
        #expect(bare.status == .failure && bare.error.contains("store rekey") && bare.error.contains("store copy"))
        let unknown = herald(["help", "nosuch"])
        #expect(unknown.status == .failure && unknown.error.contains("unknown command 'nosuch'"))
        #expect(herald(["help"]).output == herald(["--help"]).output)
    }

    /// `outbox retry` clears the row's last error (the attempts keep the history) and says why
    /// nothing was queued: a row in another state, or none at all.
    @Test func retryClearsTheLastErrorAndSaysWhyNothingWasQueued() throws {
        let (folder, config) = try configuredFolder()
        #expect(herald(["--config", config, "import", "members", try folder.write("m.csv", "id,phone\nA1,13800138000\n")])
            .status == .success)
        let store = try SQLStore(path: folder.file("data/h.db"))
        try store.database.execute("""
            INSERT INTO outbox (key, trigger_id, member_key, occurrence_key, idempotency_key, category, channel, address,
                template, body, scheduled_at, next_attempt_at, created_at, updated_at, status, last_error)
            SELECT 1, 't', key, 'o1', 'k1', 'service', 'sms', '+8613800138000', 't', 'b', 1, 1, 1, 1, 'failed', 'HTTP 503' FROM members;
            INSERT INTO outbox (key, trigger_id, member_key, occurrence_key, idempotency_key, category, channel, address,
                template, body, scheduled_at, next_attempt_at, created_at, updated_at, status)
            SELECT 2, 't', key, 'o2', 'k2', 'service', 'sms', '+8613800138000', 't', 'b', 1, 1, 1, 1, 'sent' FROM members
            """)
        let retried = herald(["--config", config, "outbox", "retry", "1"])
        #expect(retried.status == .success && retried.output == "queued again: 1 row\n")
        #expect(try store.database.scalarText("SELECT status || '/' || coalesce(last_error, '-') FROM outbox WHERE key = 1")
                == "pending/-")
        let sent = herald(["--config", config, "outbox", "retry", "2"])
        #expect(sent.status == .rowsRejected
                && sent.error.contains("row 2 is sent; only failed, expired or cancelled rows are queued again"), "\(sent.error)")
        let missing = herald(["--config", config, "outbox", "retry", "99"])
        #expect(missing.status == .failure && missing.error.contains("no outbox row 99"), "\(missing.error)")
        #expect(herald(["--config", config, "outbox", "show", "99"]).status == .failure, "not found is 2 everywhere")
        // cancel says why the same way: a row in another state (1), none at all (2).
        let cancelSent = herald(["--config", config, "outbox", "cancel", "2"])
        #expect(cancelSent.status == .rowsRejected && cancelSent.error.contains("row 2 is sent; only pending rows are cancelled"),
                "\(cancelSent.error)")
        let cancelMissing = herald(["--config", config, "outbox", "cancel", "99"])
        #expect(cancelMissing.status == .failure && cancelMissing.error.contains("no outbox row 99"), "\(cancelMissing.error)")
        #expect(cancelSent.output.isEmpty && cancelMissing.output.isEmpty && sent.output.isEmpty && missing.output.isEmpty,
                "a row left alone is explained, not counted as 0 rows")
        #expect(herald(["--config", config, "outbox", "cancel", "1"]).output == "cancelled: 1 row\n")
    }

    /// `members show` masks an e-mail's local part, a one-character one too.
    @Test func memberEmailsAreMaskedWhateverTheirLength() {
        #expect(MemberView.maskEmail("zhang@example.cn") == "z***@example.cn")
        #expect(MemberView.maskEmail("a@example.cn") == "***@example.cn")
    }

    @Test func usageErrorsExitWithTwoAndPointAtHelp() {
        let unknown = herald(["frobnicate"])
        #expect(unknown.status == .failure)
        #expect(unknown.error.contains("unknown command 'frobnicate'"))
        let stray = herald(["ingest", "x.ndjson", "--format", "csv"])
        #expect(stray.status == .failure && stray.error.contains("'--format' is not an option of 'ingest'"))
        let missing = herald(["import", "members"])
        #expect(missing.status == .failure && missing.error.contains("Run 'herald import members --help'"))
        #expect(herald(["ingest", "--rejects"]).error.contains("--rejects needs a value"))
    }

    @Test func configProblemsNameFileLineAndColumn() throws {
        let folder = try TemporaryDirectory()
        let config = try folder.write("herald.json5", "{\n  store: { sqlite: 'h.db' },\n  time_zone: 'UTC',\n}")
        let result = herald(["--config", config, "members", "show", "U1"])
        #expect(result.status == .failure)
        #expect(result.error.contains("herald.json5:3:3: unknown key 'time_zone'"))
    }

    @Test func importExitsZeroWhenAllLandOneWhenSomeRejected() throws {
        let (folder, config) = try configuredFolder()
        let good = try folder.write("good.csv", "id,phone\nU1,13812345678\n")
        let mixed = try folder.write("mixed.csv", "id,phone\nU2,13812345678\nU3,123\n")
        let first = herald(["--config", config, "import", "members", good])
        #expect(first.status == .success)
        #expect(first.output.contains("read 1, inserted 1, updated 0, duplicates 0, rejected 0"))
        let rejectsPath = folder.file("rejects.csv")
        let second = herald(["import", "members", mixed, "--rejects", rejectsPath, "--config", config])
        #expect(second.status == .rowsRejected)
        #expect(second.error.contains("mixed.csv:3: rejected: phone: found \"123\""))
        #expect(try String(contentsOfFile: rejectsPath, encoding: .utf8) == "id,phone\nU3,123\n")
    }

    @Test func missingInputIsAnIOError() throws {
        let (folder, config) = try configuredFolder()
        let result = herald(["--config", config, "ingest", "/nonexistent/events.ndjson"])
        _ = folder
        #expect(result.status == .failure)
        #expect(result.error.contains("/nonexistent/events.ndjson: cannot open: No such file or directory"))
    }

    @Test func membersShowMasksThePhoneAndShowsDerivedState() throws {
        let (folder, config) = try configuredFolder()
        _ = herald(["--config", config, "import", "members",
                    try folder.write("m.csv", "id,name,phone,email\nU1,张三,13812345678,zhang@example.cn\n")])
        _ = herald(["--config", config, "ingest", try folder.write("e.ndjson", """
            {"member_id":"U1","type":"topup","at":"2026-05-01 10:00:00","amount":150}
            {"member_id":"U1","type":"points_earn","at":"2026-05-01","points":300,"expires_at":"2026-06-01"}
            """)])
        let clock = ManualWallClock(InstantParser(defaultTimeZone: .current).parse("2026-05-20T00:00:00+08:00")!)
        let text = herald(["--config", config, "members", "show", "U1"], clock: clock)
        #expect(text.status == .success)
        #expect(text.output.contains("+86138****5678"))
        #expect(!text.output.contains("13812345678"))
        #expect(text.output.contains("z***@example.cn"))
        #expect(text.output.contains("¥150.00 (last top-up 2026-05-01T10:00:00+08:00)"))
        #expect(text.output.contains("300 available in 1 lot(s)"))
        #expect(text.output.contains("  registered     —\n"))
        #expect(text.output.contains("(18 days ago, from activity event)"))
        let json = herald(["--config", config, "members", "show", "U1", "--format", "json"], clock: clock)
        let object = try JSONParser.parse(json.output, dialect: .json)
        #expect(object["phone"]?.stringValue == "+86138****5678")
        #expect(object["points_balance"]?.kind == .number("300"))
        #expect(herald(["--config", config, "members", "show", "U404"]).status == .failure)
    }
}
