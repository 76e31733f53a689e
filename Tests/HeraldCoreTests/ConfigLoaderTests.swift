import Foundation
import Testing
@testable import HeraldCore

@Suite struct ConfigLoaderTests {
    @Test func defaultsAndRelativeStorePath() throws {
        let config = try ConfigLoader.parse("{ store: { sqlite: 'data/herald.db' }, }", path: "/etc/herald/herald.json5")
        #expect(config.storePath == "/etc/herald/data/herald.db")
        #expect(config.timeZone.identifier == "Asia/Shanghai")
        #expect(config.locale == "zh-CN")
    }

    @Test func laterSectionsAreKeptForTheirReaders() throws {
        let config = try ConfigLoader.parse("{ store: { sqlite: '/var/lib/herald.db' }, quiet_hours: '21:00-08:00' }",
                                            path: "herald.json5")
        #expect(config.otherSections["quiet_hours"]?.stringValue == "21:00-08:00")
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
        do {
            _ = try ConfigLoader.parse(text, path: "herald.json5")
            Issue.record("expected errors")
        } catch let failure as ConfigLoader.Failure {
            #expect(failure.diagnostics.map(\.description) == [
                "herald.json5:2:28: store: unknown key 'sqlit' (expected sqlite)",
                "herald.json5:3:13: timezone: expected an IANA time zone such as \"Asia/Shanghai\"",
                "herald.json5:4:3: unknown key 'stor' (expected one of: \(HeraldConfig.knownKeys.joined(separator: ", ")))",
                "herald.json5:5:11: locale: expected a language tag such as \"zh-CN\"",
            ])
        }
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
