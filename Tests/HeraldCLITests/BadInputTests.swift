import Foundation
import Testing
import HeraldCore
@_spi(StoreSQL) import HeraldStore
@_spi(StoreSQL) import HeraldTestSupport
@testable import HeraldCLI

/// Input that used to pass and then crash, stall or leak (issue 11): numbers beyond any
/// sense in config and data, a member whose stored data cannot be evaluated, a name of ten
/// thousand characters, control characters on the terminal.
@Suite(.timeLimit(.minutes(2))) struct BadInputTests {
    /// A folder with Triggers/, MessageTemplates/t and a config `text`.
    private func folder(config text: String, triggers: [String: String] = [:],
                        template: String = "{{ member.name | default: \"会员\" }}您好") throws -> (TemporaryDirectory, String) {
        let folder = try TemporaryDirectory()
        let config = try folder.write("herald.json5", text)
        try FileManager.default.createDirectory(atPath: folder.file("Triggers"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: folder.file("MessageTemplates/t"), withIntermediateDirectories: true)
        try folder.write("MessageTemplates/t/sms.zh-CN.txt", template)
        for (name, trigger) in triggers { try folder.write("Triggers/\(name).json5", trigger) }
        return (folder, config)
    }

    @Test func validateRefusesWhatWouldOverflowOrStopStartUpWithItsPosition() throws {
        let (folder, config) = try folder(config: """
            {
              store: { sqlite: "a-folder" },
              channels: {
                sms: { adapter: "http", url: "https://gw.example.cn/send now", timeout: "0s" },
                push: { adapter: "log", path: "logs" },
                email: { adapter: "http", url: "https://gw.example.cn/mail", body: { to: "{{ to }}", x: "{{ recipient }}" },
                         headers: { Authorization: "{{ secret.HERALD_TEST_ABSENT_SECRET }}" } },
              },
              dispatch: { concurrency: 9223372036854775807, lease: "9223372036854775807s",
                          shutdown_timeout: "106751991167300d", max_attempts: 0 },
              caps: [ { max: 1, per: "106751991167300d" } ],
              sms: { max_segments: 1000 },
            }
            """, triggers: ["t": """
            { id: "t", kind: "inactivity", params: { days: 30 }, channels: ["sms"], template: "t",
              cooldown: "106751991167300d", expire: "106751991167300d", priority: 9223372036854775807 }
            """])
        try FileManager.default.createDirectory(atPath: folder.file("a-folder"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: folder.file("logs"), withIntermediateDirectories: true)
        let result = herald(["validate", config])
        #expect(result.status == .problemsFound)
        let lines = result.error.split(separator: "\n").map { String($0).replacingOccurrences(of: folder.path + "/", with: "") }
        for expected in [
            "herald.json5:2:20: store.sqlite: a-folder is a folder; expected a file",
            "herald.json5:4:34: channels.sms.url: expected an http(s) URL without spaces",
            "herald.json5:4:77: channels.sms.timeout: expected a duration from 1s to 10m",
            "herald.json5:5:35: channels.push.path: logs is a folder",
            "herald.json5:6:93: channels.email.body: unknown placeholder {{ recipient }}",
            "herald.json5:9:28: dispatch.concurrency: expected a whole number from 1 to 1024, found the number 9223372036854775807",
            "herald.json5:9:56: dispatch.lease: expected a duration from 10s to 1d",
            "herald.json5:10:33: dispatch.shutdown_timeout: expected a duration from 1s to 1h",
            "herald.json5:10:67: dispatch.max_attempts: expected a whole number from 1 to 100, found the number 0",
            "herald.json5:11:26: caps[].per: expected a duration from 1m to 366d",
            "herald.json5:12:24: sms.max_segments: expected a whole number from 1 to 10, found the number 1000",
            "Triggers/t.json5:2:13: cooldown: expected a duration from 1m to 3650d",
            "Triggers/t.json5:2:41: expire: expected a duration from 1m to 366d",
            "Triggers/t.json5:2:71: priority: expected a whole number from -1000000 to 1000000",
        ] {
            #expect(lines.contains { $0.hasPrefix(expected) }, "missing: \(expected)\nin:\n\(lines.joined(separator: "\n"))")
        }
        // One problem, one line (the URL is checked by the config and by the channel alike).
        #expect(lines.count { $0.contains("channels.sms.url") } == 1)
        #expect(result.error.contains("15 problems in 2 files") || result.error.contains("14 problems in 2 files"))
        // A secret this machine lacks is a warning, not a problem.
        #expect(lines.contains { $0.hasPrefix("herald.json5:7:23: warning: channels.email.headers: secret 'HERALD_TEST_ABSENT_SECRET' "
                                              + "is not set here") })
    }

    @Test func aLeaseNoLongerThanAChannelTimeoutIsAProblem() throws {
        let (folder, config) = try folder(config: """
            { store: { sqlite: "h.db" }, channels: { sms: { adapter: "http", url: "https://gw.example.cn/", timeout: "30s" } },
              dispatch: { lease: "30s" } }
            """)
        let result = herald(["validate", config])
        #expect(result.status == .problemsFound)
        #expect(result.error.contains("\(folder.file("herald.json5")):2:22: dispatch.lease (30s) must be longer than "
                                      + "channels.sms.timeout (30s)"))
    }

    @Test func runRefusesTheSameConfigBeforeStartingInsteadOfTrapping() async throws {
        let (folder, config) = try folder(config: """
            { store: { sqlite: "h.db" }, channels: { sms: { adapter: "log", path: "sms.jsonl" } },
              dispatch: { concurrency: 9223372036854775807, shutdown_timeout: "106751991167300d" } }
            """)
        let worker = try launchHerald(config: config, ["run", "--once"], folder: folder)
        #expect(await Waiting.exit(of: worker, within: .seconds(30)), "herald run did not stop within 30 s")
        #expect(worker.terminationReason == .exit && worker.terminationStatus == 2)
        let log = try String(contentsOfFile: folder.file("stderr.txt"), encoding: .utf8)
        #expect(log.contains("herald.json5:2:28: dispatch.concurrency: expected a whole number from 1 to 1024"))
    }

    @Test func ingestRefusesNumbersAndInstantsBeyondWhatItStores() throws {
        let (folder, config) = try folder(config: "{ store: { sqlite: 'h.db' } }")
        let members = try folder.write("m.csv", "id,registered_at,phone\nU1,2024-01-01,13812345678\nU2,1850-01-01,\nU3,,1381234567\n")
        let imported = herald(["--config", config, "import", "members", members])
        #expect(imported.status == .rowsRejected)
        #expect(imported.error.contains("m.csv:3: rejected: registered_at: found \"1850-01-01\""))
        #expect(imported.error.contains("in the years 1900 to 2200"))
        // An invalid phone is still someone's number: masked in the message.
        #expect(imported.error.contains("m.csv:4: rejected: phone: found \"1381**4567\"") && !imported.error.contains("\"1381234567\""))
        let events = try folder.write("e.ndjson", """
            {"member_id":"U1","type":"points_earn","at":"2026-01-01","points":9223372036854775807,"expires_at":"2027-01-01"}
            {"member_id":"U1","type":"points_earn","at":"2026-01-01","points":1000000001,"expires_at":"2027-01-01"}
            {"member_id":"U1","type":"points_earn","at":"2026-01-01","points":100,"expires_at":"9999-01-01"}
            {"member_id":"U1","type":"purchase","at":"2026-01-01","amount":100000000000}
            {"member_id":"U1","type":"login","at":"2201-01-01"}
            {"member_id":"U1","type":"points_earn","at":"2026-01-01","points":1000000000,"expires_at":"2027-01-01"}
            """)
        let ingested = herald(["--config", config, "ingest", events])
        #expect(ingested.status == .rowsRejected)
        #expect(ingested.output.contains("read 6, inserted 1"))
        for line in 1...2 {
            #expect(ingested.error.contains("e.ndjson:\(line): rejected: points: found"), "line \(line)")
        }
        #expect(ingested.error.contains("e.ndjson:3: rejected: expires_at: found \"9999-01-01\""))
        #expect(ingested.error.contains("e.ndjson:4: rejected: amount: found \"100000000000\""))
        #expect(ingested.error.contains("e.ndjson:5: rejected: at: found \"2201-01-01\""))
    }

    /// What older versions stored, or a hand-edited store: lots of 2^62 points, an instant
    /// beyond any year. One such member is suppressed as invalid_data; the others are planned,
    /// and `members show` still prints them.
    @Test func oneMembersAbsurdStoredDataStopsNobodyElse() throws {
        let (folder, config) = try folder(config: """
            { store: { sqlite: "h.db" }, channels: { sms: { adapter: "log", path: "sms.jsonl" } }, quiet_hours: null }
            """, triggers: [
                "silent": #"{ id: "silent", kind: "inactivity", params: { days: 30 }, channels: ["sms"], template: "t", category: "service" }"#,
                "points": #"{ id: "points", kind: "points_expiry", channels: ["sms"], template: "t", category: "service" }"#,
            ])
        var csv = "id,phone,last_active_at\n"
        for index in 1...20 { csv += "U\(index),1380000\(String(index).leftPadded(to: 4)),2025-01-01\n" }
        #expect(herald(["--config", config, "import", "members", try folder.write("m.csv", csv)]).status == .success)
        let earn = (1...20).map { #"{"member_id":"U\#($0)","type":"points_earn","at":"2026-02-01","points":50,"expires_at":"2026-03-20"}"# }
        #expect(herald(["--config", config, "ingest", try folder.write("e.ndjson", earn.joined(separator: "\n"))]).status == .success)
        let store = try SQLStore(path: folder.file("h.db"))
        try store.database.execute("""
            UPDATE points_lots SET points = 4611686018427387904, remaining = 4611686018427387904
                WHERE member_key = (SELECT key FROM members WHERE id = 'U1');
            INSERT INTO points_lots (member_key, event_key, points, remaining, earned_at, expires_at)
                SELECT member_key, event_key, points, remaining, earned_at, expires_at FROM points_lots
                WHERE member_key = (SELECT key FROM members WHERE id = 'U1');
            UPDATE member_state SET last_activity_at = 9223372036854775807 WHERE member_key = (SELECT key FROM members WHERE id = 'U2');
            """)
        let preview = herald(["--config", config, "preview", "--at", "2026-03-10 12:00:00", "--format", "json"])
        #expect(preview.status == .success, "\(preview.error)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(preview.output.utf8)) as? [String: Any])
        let planned = try #require(object["planned"] as? [[String: Any]])
        let suppressed = try #require(object["suppressed"] as? [[String: Any]])
        // U1's lots add up beyond 2^63 (SQLite's sum() failed the whole query for everyone);
        // U2's last activity is no instant at all. Each is suppressed where its data is read.
        #expect(planned.filter { $0["trigger"] as? String == "points" }.count == 18)
        #expect(planned.filter { $0["trigger"] as? String == "silent" }.count == 19)
        let invalid = suppressed.filter { $0["reason"] as? String == "invalid_data" }.map { "\($0["trigger"]!)/\($0["member"]!)" }
        #expect(Set(invalid) == ["points/U1", "points/U2"])
        for id in ["U1", "U2"] {
            let shown = herald(["--config", config, "members", "show", id])
            #expect(shown.status == .success, "\(shown.error)")
        }
    }

    @Test func memberValuesAreClippedAndAnSMSThatStillRunsLongIsSuppressed() throws {
        let (folder, config) = try folder(config: """
            { store: { sqlite: "h.db" }, channels: { sms: { adapter: "log", path: "sms.jsonl" } }, quiet_hours: null,
              sms: { signature: "【品牌】", max_segments: 3 } }
            """, triggers: [
                "silent": #"{ id: "silent", kind: "inactivity", params: { days: 30 }, channels: ["sms"], template: "t", category: "service" }"#,
            ], template: "{{ member.name | default: \"会员\" }}您好，{{ member.tier | default: \"会员\" }}专享")
        let longName = String(repeating: "长", count: 10_000)
        let longTier = String(repeating: "级", count: 300)
        let members = try folder.write("m.csv", "id,name,tier,phone,last_active_at\nU1,\(longName),金卡,13800000001,2025-01-01\n"
                                       + "U2,王芳,\(longTier),13800000002,2025-01-01\n")
        #expect(herald(["--config", config, "import", "members", members]).status == .success)
        let preview = herald(["--config", config, "preview", "--at", "2026-03-10 12:00:00", "--format", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(preview.output.utf8)) as? [String: Any])
        let planned = try #require(object["planned"] as? [[String: Any]])
        let first = try #require(planned.first { $0["member"] as? String == "U1" })
        #expect(first["text"] as? String == "【品牌】" + String(repeating: "长", count: 19) + "…您好，金卡专享")
        #expect(first["segments"] as? Int == 1)
        #expect(planned.first { $0["member"] as? String == "U2" }.map { ($0["text"] as? String)?.contains("级级级级级级级级级…") } == true)

        // With room for one segment only, the clipped name still does not fit: suppressed, with the reason.
        try String(contentsOfFile: config, encoding: .utf8).replacingOccurrences(of: "max_segments: 3", with: "max_segments: 1")
            .write(toFile: config, atomically: true, encoding: .utf8)
        // 50 characters of text: with validate's longest name (10) it fits one segment; with a
        // clipped 20-character name it does not.
        try folder.write("MessageTemplates/t/sms.zh-CN.txt", "{{ member.name | default: \"会员\" }}"
                         + "您好，本周会员日全场八折，积分加倍兑换，会员专享礼品限量发放，欢迎您光临各门店，详询店员，谢谢惠顾。")
        let tight = herald(["--config", config, "preview", "--at", "2026-03-10 12:00:00", "--format", "json"])
        let tightObject = try #require(try JSONSerialization.jsonObject(with: Data(tight.output.utf8)) as? [String: Any])
        let suppressed = try #require(tightObject["suppressed"] as? [[String: Any]])
        #expect(suppressed.contains { $0["member"] as? String == "U1" && $0["reason"] as? String == "too_long" })
        #expect((tightObject["planned"] as? [[String: Any]])?.contains { $0["member"] as? String == "U2" } == true)
    }

    @Test func controlCharactersInMemberDataNeverReachTheTerminal() throws {
        let (folder, config) = try folder(config: "{ store: { sqlite: 'h.db' } }")
        let members = try folder.write("m.ndjson", #"{"id":"U1","name":"\u001b[2J\u001b]0;pwned\u0007Eve","tier":"金\u0007卡"}"#)
        #expect(herald(["--config", config, "import", "members", members]).status == .success)
        let shown = herald(["--config", config, "members", "show", "U1"])
        #expect(shown.status == .success)
        #expect(shown.output.contains("[2J]0;pwnedEve") && shown.output.contains("金卡"))
        #expect(!shown.output.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" && $0 != "\t" })
    }

    @Test func lineBreaksInMemberDataCannotForgeLinesOfOutput() throws {
        let (folder, config) = try folder(config: "{ store: { sqlite: 'h.db' } }")
        let members = try folder.write("m.csv", "id,name\nU1,\"Amy\r\n  consents  sms no\nlevel=error event=fake\"\n")
        #expect(herald(["--config", config, "import", "members", members]).status == .success)
        let shown = herald(["--config", config, "members", "show", "U1"])
        let nameLine = try #require(shown.output.split(separator: "\n").first { $0.contains("name") })
        #expect(nameLine.contains("Amy  consents  sms nolevel=error event=fake"))
        #expect(!shown.output.split(separator: "\n").contains { $0.hasPrefix("level=") })
    }

    /// Standard output that cannot be written (a full disk) ends the command with exit
    /// status 2 and a message, not a trap.
    @Test func aFullDiskOnStandardOutputIsAnErrorNotACrash() async throws {
        let (folder, config) = try folder(config: "{ store: { sqlite: 'h.db' } }")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try heraldBinaryPath())
        process.arguments = ["--config", config, "--help"]
        process.standardOutput = try #require(FileHandle(forWritingAtPath: "/dev/full"))
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        #expect(await Waiting.exit(of: process, within: .seconds(30)), "herald --help did not end within 30 s")
        #expect(process.terminationReason == .exit && process.terminationStatus == 2)
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(message.contains("cannot write standard output"))
        _ = folder
    }

    @Test func aGB18030FileFromExcelImportsWithItsEncoding() throws {
        let (folder, config) = try folder(config: "{ store: { sqlite: 'h.db' } }")
        // "id,name,phone\nU1,张伟,13800000001\n" as Excel on Chinese Windows saves it: 张 = D5C5, 伟 = CEB0.
        let gbk: [UInt8] = Array("id,name,phone\nU1,".utf8) + [0xD5, 0xC5, 0xCE, 0xB0] + Array(",13800000001\n".utf8)
        let file = folder.file("excel.csv")
        try Data(gbk).write(to: URL(fileURLWithPath: file))
        let plain = herald(["--config", config, "import", "members", file])
        #expect(plain.status == .rowsRejected && plain.error.contains("excel.csv:2: rejected: field 2: invalid UTF-8")
                    && plain.error.contains("--encoding gb18030"), "\(plain.error)")
        let converted = herald(["--config", config, "import", "members", file, "--encoding", "gb18030"])
        #expect(converted.status == .success, "\(converted.error)")
        #expect(herald(["--config", config, "members", "show", "U1"]).output.contains("张伟"))
        // A byte no GB18030 text has (0x81 must be followed by 0x30–0x39 or 0x40–0xFE) is named with its line.
        try Data(gbk + Array("U2,".utf8) + [0x81, 0x20] + Array(",13800000002\n".utf8)).write(to: URL(fileURLWithPath: file))
        let broken = herald(["--config", config, "import", "members", file, "--encoding", "GB18030"])
        #expect(broken.status == .failure && broken.error.contains("excel.csv:3: not valid GB18030 text"), "\(broken.error)")
        let unknown = herald(["--config", config, "import", "members", file, "--encoding", "big5"])
        #expect(unknown.status == .failure && unknown.error.contains("--encoding: expected one of gb18030, gbk, gb2312, utf-8"))
    }

    @Test func reportOutputIsWrittenThroughTheGivenPath() throws {
        let (folder, config) = try folder(config: "{ store: { sqlite: 'h.db' } }")
        #expect(herald(["--config", config, "import", "members", try folder.write("m.csv", "id\nU1\n")]).status == .success)
        let target = try folder.write("target.csv", "old")
        try FileManager.default.createSymbolicLink(atPath: folder.file("link.csv"), withDestinationPath: target)
        let result = herald(["--config", config, "report", "--format", "csv", "--output", folder.file("link.csv")])
        #expect(result.status == .success, "\(result.error)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: folder.file("link.csv")) == target)
        // A byte order mark first, so Excel reads the Chinese names as UTF-8; --no-bom leaves it out.
        #expect(try Data(contentsOf: URL(fileURLWithPath: target)).starts(with: [0xEF, 0xBB, 0xBF] + Array("trigger,".utf8)))
        #expect(herald(["--config", config, "report", "--format", "csv", "--no-bom", "--output", target]).status == .success)
        #expect(try Data(contentsOf: URL(fileURLWithPath: target)).starts(with: Array("trigger,".utf8)))
        let full = herald(["--config", config, "report", "--format", "csv", "--output", "/dev/full"])
        #expect(full.status == .failure && full.error.contains("/dev/full: cannot write"))
    }

    @Test func theStoreIsCreatedForItsOwnerOnly() throws {
        let (folder, config) = try folder(config: "{ store: { sqlite: 'data/h.db' } }")
        #expect(herald(["--config", config, "import", "members", try folder.write("m.csv", "id\nU1\n")]).status == .success)
        for file in ["data/h.db", "data/h.db-wal", "data/h.db-shm"] where FileManager.default.fileExists(atPath: folder.file(file)) {
            let mode = try FileManager.default.attributesOfItem(atPath: folder.file(file))[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(file) has mode \(String(mode ?? 0, radix: 8))")
        }
    }
}
