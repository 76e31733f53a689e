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
        #expect(config.store == .sqlite(path: "/etc/herald/data/herald.db"))
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
        let inline = try #require(config.channel(named: "sms_backup")?.providers.first)
        #expect(inline.isInline && inline.name == "sms_backup" && inline.adapter == "http")
        #expect(inline.timeout.seconds == 5 && config.channel(named: "sms_backup")?.ratePerSecond == 20)
        // The adapter reads its own options (url, headers, path) from the entry as written.
        #expect(inline.entry["headers"]?["Authorization"]?.stringValue == "Bearer x")
        #expect(config.channel(named: "push")?.providers.first?.entry["path"]?.stringValue == "p.jsonl")
        #expect(config.channel(named: "push")?.providers.first?.baseFolder == "/etc/herald")
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
            "h.json5:3:48: caps[].per: expected a duration from 1m to 366d (such as 90s, 15m, 2h, 30d or 1w), found \"daily\"",
            "h.json5:4:15: channels: the name 'fax' must say its kind: sms, push, email or wechat (alone or followed by _name, e.g. sms_backup)",
            "h.json5:5:16: quiet_hours: expected a time range such as 10:00-12:00, 9:00-11:30 or 21:00-08:00 (or null for none), found \"21-8\"",
        ])
    }

    /// SPEC 7: named providers, and channels that route over them.
    @Test func providersAndRoutingAreRead() throws {
        let config = try ConfigLoader.parse("""
            {
              store: { sqlite: 'h.db' },
              providers: {
                tencent: { adapter: 'tencent_sms', sign_name: '悦享会员', price_per_segment: 0.045, rate_per_second: 50 },
                aliyun: { adapter: 'aliyun_sms', weight: 3, timeout: '4s' },
              },
              channels: { sms: { providers: ['tencent', 'aliyun'], strategy: 'weighted', concurrency: 32,
                                 circuit: { failures: 3, half_open_after: '1m' } } },
            }
            """, path: "/etc/herald/herald.json5")
        #expect(config.providers.map(\.name) == ["tencent", "aliyun"])
        let sms = try #require(config.channel(named: "sms"))
        #expect(sms.providers.map(\.name) == ["tencent", "aliyun"] && !sms.isInline)
        #expect(sms.strategy == .weighted && sms.concurrency == 32)
        #expect(sms.circuit.failures == 3 && sms.circuit.halfOpenAfter.seconds == 60)
        #expect(sms.providers[0].pricePerSegment == 0.045 && sms.providers[0].ratePerSecond == 50)
        #expect(sms.providers[1].weight == 3 && sms.providers[1].timeout.seconds == 4)
        // The defaults SPEC 7 names.
        let plain = try ConfigLoader.parse("{ store: { sqlite: 'h.db' }, providers: { a: { adapter: 'x' } }, "
                                           + "channels: { sms: { providers: ['a'] } } }", path: "h.json5")
        #expect(plain.channels[0].strategy == .failover && plain.channels[0].circuit == CircuitSettings())
        #expect(plain.channels[0].circuit.failures == 5 && plain.channels[0].circuit.halfOpenAfter.seconds == 30)
    }

    @Test func routingProblemsAreReportedWithLineAndColumn() {
        let text = """
            {
              store: { sqlite: 'h.db' },
              providers: { tencent: { adapter: 'tencent_sms', weight: 0 }, 'Bad Name': { adapter: 'log' } },
              channels: { sms: { providers: ['tencent', 'tencnet'], strategy: 'random', circuit: { failures: 0 } },
                          push: { providers: [] }, email: { url: 'https://x/' } },
            }
            """
        #expect(problems(text, path: "h.json5") == [
            "h.json5:3:59: providers.tencent.weight: expected a number from 0.001 to 1000000, found the number 0",
            "h.json5:3:64: providers: the name 'Bad Name' may hold lowercase letters, digits, '_' and '-' only",
            "h.json5:4:33: channels.sms.providers: 'tencnet' is not defined under providers (defined: tencent)",
            "h.json5:4:67: channels.sms.strategy: expected failover or weighted, found \"random\"",
            "h.json5:4:98: channels.sms.circuit.failures: expected a whole number from 1 to 100, found the number 0",
            "h.json5:5:34: channels.push.providers: expected at least one entry, found an empty list",
            "h.json5:5:47: channels.email.adapter: missing (expected an adapter name, or providers: [\"…\"])",
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
            "herald.json5:2:28: store: unknown key 'sqlit' (did you mean 'sqlite'? expected one of: sqlite, postgres, key, previous_key)",
            "herald.json5:3:13: timezone: expected an IANA time zone such as \"Asia/Shanghai\", found \"Asia/Shanghia\"",
            "herald.json5:4:3: unknown key 'stor' (did you mean 'store'? expected one of: \(HeraldConfig.knownKeys.joined(separator: ", ")))",
            "herald.json5:5:11: locale: expected a language tag such as \"zh-CN\", found the number 5",
        ])
    }

    /// `store.postgres` (issue 16): a libpq URL is the store; anything else is refused where
    /// it stands, with the password never repeated.
    @Test func aPostgresStoreIsAURL() throws {
        let url = "postgresql://herald@db.internal:5432/herald?sslmode=verify-full"
        let config = try ConfigLoader.parse("{ store: { postgres: '\(url)' } }", path: "/etc/herald/herald.json5")
        #expect(config.store == .postgres(url: url) && !config.store.carriesPassword)
        let secret = StoreLocation.postgres(url: "postgresql://herald:s3cret@db/herald?password=other")
        #expect(secret.carriesPassword && !secret.description.contains("s3cret") && !secret.description.contains("other"))
        #expect(problems("{\n  store: { postgres: 'mysql://root:pw@db/x' },\n}", path: "h.json5") == [
            "h.json5:2:22: store.postgres: expected a URL such as \"postgresql://herald@db.internal/herald\", "
                + "found \"mysql://root:***@db/x\"",
        ])
        #expect(problems("{ store: { sqlite: 'a.db', postgres: 'postgres://db/h' } }", path: "h.json5") == [
            "h.json5:1:28: store: expected one of sqlite or postgres, found both",
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

    /// Each kind type is listed for the loader, in SPEC order, and names itself back.
    @Test func everyTriggerKindIsListedForTheLoader() {
        let kinds: [TriggerKind] = [
            .birthday(BirthdayKind()), .inactivity(InactivityKind(days: 30)), .cartAbandonment(CartAbandonmentKind()),
            .lowBalance(LowBalanceKind(below: Money(fen: 100))), .pointsExpiry(PointsExpiryKind()),
            .event(EventKind(type: "purchase")),
            .broadcast(BroadcastKind(at: LocalDateTime("2026-12-12 10:00")!)),
        ]
        #expect(kinds.map(\.name) == TriggerKind.names)
        for kind in kinds { #expect(kind.definition.triggerKind == kind) }
        #expect(!TriggerKind.lowBalance(LowBalanceKind(below: Money(fen: 1))).optionalValues.contains("member.stored_value"))
        #expect(TriggerKind.birthday(BirthdayKind()).optionalValues.contains("member.stored_value"))
    }
}
