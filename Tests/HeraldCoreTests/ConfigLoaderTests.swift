import Foundation
import Testing
@testable import HeraldCore

@Suite struct ConfigLoaderTests {
    /// Every problem the loader reports for `text`, as printed.
    private func problems(_ text: String, path: String) -> [String] {
        let log = DiagnosticLog()
        _ = ConfigLoader.parse(text, path: path, log: log)
        return log.diagnostics.map(\.description)
    }

    @Test func defaultsAndRelativeStorePath() throws {
        let config = try ConfigLoader.parse("{ store: { sqlite: 'data/herald.db' }, }", path: "/etc/herald/herald.json5")
        #expect(config.storePath == "/etc/herald/data/herald.db")
        #expect(config.timeZone.identifier == "Asia/Shanghai")
        #expect(config.locale == "zh-CN")
    }

    @Test func everySectionIsRead() throws {
        let config = try ConfigLoader.parse("""
            {
              store: { sqlite: '/var/lib/herald.db' }, quiet_hours: '22:00-07:30', caps: [{ max: 2, per: '1d' }],
              triggers: 'T', channels: { sms_backup: { adapter: 'http', url: 'https://gw.example.cn/send', timeout: '5s',
              rate_per_second: 20, headers: { Authorization: 'Bearer x' } }, push: { adapter: 'log', path: 'p.jsonl' } },
              sms: { signature: '【品牌】', opt_out: '回T退订', max_segments: 2 }, evaluate_every: '30s',
              dispatch: { max_attempts: 6, lease: '2m' }, sandbox: { at: '2026-02-28 09:30:00' },
            }
            """, path: "/etc/herald/herald.json5")
        #expect(config.quietHours == LocalTimeRange("22:00-07:30"))
        #expect(config.caps == [FrequencyCap(max: 2, per: TimeSpan(seconds: 86_400))])
        #expect(config.triggersFolder == "/etc/herald/T")
        #expect(config.templatesFolder == "/etc/herald/MessageTemplates")
        #expect(config.channels.map(\.name) == ["sms_backup", "push"])
        #expect(config.channel(named: "sms_backup")?.kind == .sms)
        #expect(config.channel(named: "sms_backup")?.headers == ["Authorization": "Bearer x"])
        #expect(config.channel(named: "push")?.path == "/etc/herald/p.jsonl")
        #expect(config.sms == SMSSettings(signature: "【品牌】", optOut: "回T退订", maxSegments: 2))
        #expect(config.evaluateEvery.seconds == 30 && config.dispatch.maxAttempts == 6 && config.dispatch.lease.seconds == 120)
        #expect(config.sandboxAt == Date(timeIntervalSince1970: 1_772_242_200))
    }

    @Test func nestedProblemsAreAllReported() {
        let text = """
            {
              store: { sqlite: 'h.db' },
              caps: [{ max: 0, per: '1d' }, { max: 1, per: 'daily' }],
              channels: { fax: { adapter: 'log', path: 'f' }, sms: { adapter: 'smtp' }, push: { adapter: 'log' } },
              quiet_hours: '21-8',
            }
            """
        #expect(problems(text, path: "h.json5") == [
            "h.json5:3:17: caps[].max: expected a whole number from 1 to 1000, found the number 0",
            "h.json5:3:48: caps[].per: expected a duration from 1m to 366d (such as 90s, 15m, 2h or 30d), found \"daily\"",
            "h.json5:4:15: channels: the name 'fax' must say its kind: sms, push or email (alone or followed by _name, e.g. sms_backup)",
            "h.json5:4:67: channels.sms.adapter: expected http or log, found \"smtp\"",
            "h.json5:4:83: channels.push.path: missing (expected a string)",
            "h.json5:5:16: quiet_hours: expected a time range such as 10:00-12:00 or 21:00-08:00 (or null for none), found \"21-8\"",
        ])
    }

    @Test func everyProblemIsReportedWithLineAndColumn() throws {
        let text = """
            {
              store: { sqlite: "h.db", sqlit: "x" },
              timezone: "Asia/Shanghia",
              stor: 1,
              locale: 5,
            }
            """
        #expect(problems(text, path: "herald.json5") == [
            "herald.json5:2:28: store: unknown key 'sqlit' (expected one of: sqlite, postgres)",
            "herald.json5:3:13: timezone: expected an IANA time zone such as \"Asia/Shanghai\", found \"Asia/Shanghia\"",
            "herald.json5:4:3: unknown key 'stor' (expected one of: \(HeraldConfig.knownKeys.joined(separator: ", ")))",
            "herald.json5:5:11: locale: expected a language tag such as \"zh-CN\", found the number 5",
        ])
    }

    @Test func syntaxErrorsPointIntoTheFile() {
        do {
            _ = try ConfigLoader.parse("{\n  store: { sqlite: 'a.db' }\n  timezone: 'UTC'\n}", path: "c.json5")
            Issue.record("expected an error")
        } catch {
            #expect("\(error)" == "c.json5:3:3: expected ',' or '}', found 't'")
        }
    }

    @Test func aMissingStoreIsAnError() {
        #expect(throws: ConfigLoader.Failure.self) { try ConfigLoader.parse("{ timezone: 'UTC' }", path: "c.json5") }
    }
}
