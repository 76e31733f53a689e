import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@_spi(StoreSQL) import HeraldTestSupport
import Testing

private let sandbox = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Sandbox").path

/// `herald report --sandbox Sandbox` as a real process (the simulated day runs the async
/// service, which must not block a thread of the test pool): the sandbox's story, in JSON
/// per trigger and per variant, and as a well-formed, self-contained HTML page.
@Suite(.timeLimit(.minutes(2))) struct ReportCommandTests {
    private func report(_ arguments: [String], in folder: TemporaryDirectory, output: String) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try heraldBinaryPath())
        process.arguments = ["report", "--sandbox", sandbox, "--output", folder.file(output)] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        #expect(await Waiting.exit(of: process, within: .seconds(120)), "herald report --sandbox did not finish in 120 s")
        #expect(process.terminationStatus == 0)
        return try String(contentsOfFile: folder.file(output), encoding: .utf8)
    }

    private func rows(_ json: String) throws -> [String: [String: Any]] {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let rows = try #require(object["rows"] as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: rows.map { ("\($0["trigger"]!)/\($0["variant"] ?? $0["group"] ?? "")", $0) })
    }

    @Test func sandboxStoryAsJSON() async throws {
        let folder = try TemporaryDirectory()
        let byTrigger = try rows(try await report(["--format", "json"], in: folder, output: "r.json"))
        let birthday = try #require(byTrigger["birthday/<null>"] ?? byTrigger.first { $0.key.hasPrefix("birthday") }?.value)
        #expect(birthday["planned"] as? Int == 6 && birthday["held_out"] as? Int == 1 && birthday["suppressed"] as? Int == 3)
        #expect(birthday["sent"] as? Int == 6 && birthday["delivered"] as? Int == 5 && birthday["reached"] as? Int == 6)
        // M22770 clicked twice (once), M95319's redeem came after the coupon expired.
        #expect(birthday["clicked"] as? Int == 4 && birthday["redeemed"] as? Int == 2)
        #expect(birthday["treated_purchasers"] as? Int == 2 && birthday["control_members"] as? Int == 1)
        let silent = try #require(byTrigger.first { $0.key.hasPrefix("silent_90") }?.value)
        #expect(silent["failed"] as? Int == 1 && silent["reached"] as? Int == 4 && silent["clicked"] as? Int == 2)
        #expect(silent["control_purchasers"] as? Int == 1 && silent["lift"] as? Double == -0.6)

        let byVariant = try rows(try await report(["--format", "json", "--by", "variant", "--trigger", "birthday"],
                                                  in: folder, output: "v.json"))
        #expect(Set(byVariant.keys) == ["birthday/a", "birthday/b"])
        // The draws put Emily Chen alone in b; both redeems (黄丽's and 王芳's) are a's.
        #expect(byVariant["birthday/a"]?["planned"] as? Int == 5 && byVariant["birthday/b"]?["planned"] as? Int == 1)
        #expect(byVariant["birthday/a"]?["redeemed"] as? Int == 2 && byVariant["birthday/b"]?["redeemed"] as? Int == 0)
        #expect(byVariant["birthday/a"]?["control_members"] as? Int == 1)
    }

    /// A zh-CN config's table speaks Chinese and names triggers by their display names; the
    /// same columns in English with --locale en-US.
    @Test func theTableFollowsTheConfigLocale() async throws {
        let folder = try TemporaryDirectory()
        let chinese = try await report(["--format", "table"], in: folder, output: "zh.txt")
        let lines = chinese.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first == "活动报表，全部日期（按会员本地时间计日）")
        #expect(lines[2].hasPrefix("活动 ") && lines[2].contains("计划") && lines[2].contains("触达") && lines[2].contains("核销"))
        #expect(lines.contains { $0.hasPrefix("生日祝福 ") } && !lines.contains { $0.hasPrefix("birthday ") })
        #expect(chinese.contains("活动：生日祝福 = birthday"))
        let english = try await report(["--format", "table", "--locale", "en-US"], in: folder, output: "en.txt")
        #expect(english.hasPrefix("Campaign report, all days") && english.contains("\nbirthday "))
        // The same numbers in both: only the words differ.
        func numbers(_ text: String) -> [String] {
            text.split(separator: "\n", omittingEmptySubsequences: false).dropFirst(3).prefix(7).map { $0.split(separator: " ").dropFirst().joined(separator: " ") }
        }
        #expect(numbers(chinese) == numbers(english))
    }

    @Test func htmlIsWellFormedAndSelfContained() async throws {
        let folder = try TemporaryDirectory()
        let html = try await report(["--format", "html"], in: folder, output: "r.html")
        final class Elements: NSObject, XMLParserDelegate {
            var names: [String] = []
            var externalReferences: [String] = []
            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                        attributes: [String: String] = [:]) {
                names.append(name)
                for key in ["src", "href"] where attributes[key] != nil { externalReferences.append(attributes[key]!) }
            }
        }
        let parser = XMLParser(data: Data(html.utf8))
        let elements = Elements()
        parser.delegate = elements
        #expect(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "") at line \(parser.lineNumber)")
        #expect(elements.names.first == "html")
        #expect(elements.names.filter { $0 == "svg" }.count >= 9)  // funnel, holdout, one daily chart per trigger
        #expect(!elements.names.contains("script") && !elements.names.contains("link") && elements.externalReferences.isEmpty)
        #expect(html.contains("生日祝福") && html.contains("Newcombe"))
        #expect(html.range(of: #"\d{11}"#, options: .regularExpression) == nil)
    }
}
