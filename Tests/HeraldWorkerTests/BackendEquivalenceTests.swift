import Foundation
import Testing
import HeraldCore
@_spi(StoreSQL) import HeraldStore
@_spi(StoreSQL) import HeraldTestSupport
import HeraldWorker

/// The two backends load data their own way — SQLite row by row, PostgreSQL with COPY and
/// set-based statements in batches (issue 16) — and must end with the same store: a seeded
/// stream of every event type (points earned and spent, consent flips, top-ups, purchases,
/// clicks, redeems in and out of validity, receipts twice, duplicates, unknown members, bad
/// lines) ingested into each, at several PostgreSQL batch sizes, then compared field by field
/// with the same warnings and rejections in the same order.
@Suite(.timeLimit(.minutes(2))) struct BackendEquivalenceTests {
    private static let members = 24

    /// A campaign planned into a store on `backend`, every send marked sent with a provider id.
    private func plannedStore(_ fixture: EvaluationFixture, on backend: StoreBackend) throws -> SQLStore {
        var csv = "id,phone,tier,registered_at,last_active_at,stored_value,tags,consent_sms\n"
        for index in 0..<Self.members {
            csv += "M\(index),1380013\(String(index).leftPadded(to: 4)),\(index % 3 == 0 ? "金卡" : "银卡"),2024-01-01,"
                + "2026-01-0\(index % 9 + 1),\(index % 4 == 0 ? "" : String(index * 10)),\"vip;t\(index % 5)\",yes\n"
        }
        let store = try fixture.on(backend).store(members: csv)
        try SQLOutboxWriter.write(try fixture.evaluate(store, at: "2026-03-10 12:00:00"), to: store)
        try store.database.execute("UPDATE outbox SET status = 'sent', provider_id = 'P' || idempotency_key")
        return store
    }

    /// 900 lines drawn from a fixed seed: every type, and the sends' own tokens, coupons and keys.
    private func events(for sends: [(member: String, token: String, coupon: String?, key: String)]) -> String {
        var state: UInt64 = 0x5EED
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        var lines: [String] = []
        for index in 0..<900 {
            let member = next(30) < 29 ? "M\(next(Self.members))" : "GHOST"
            let day = 1 + next(20)
            let at = "2026-03-\(String(day).leftPadded(to: 2))T\(String(next(24)).leftPadded(to: 2)):\(String(next(60)).leftPadded(to: 2)):00+08:00"
            // Mostly fresh ids (a repeated one closes a PostgreSQL batch: too many would leave
            // nothing in order to check inside one).
            let id = next(4) == 0 ? "" : "\"id\": \"e\(next(next(10) == 0 ? 40 : 100_000))\", "
            let send = sends.isEmpty ? nil : sends[next(sends.count)]
            let line: String
            switch next(16) {
            case 0: line = "{\(id)\"member_id\": \"\(member)\", \"type\": \"points_earn\", \"at\": \"\(at)\", "
                + "\"points\": \(10 + next(300)), \"expires_at\": \"2026-0\(3 + next(6))-15\"}"
            case 1, 2: line = "{\(id)\"member_id\": \"\(member)\", \"type\": \"points_spend\", \"at\": \"\(at)\", "
                + "\"points\": \(1 + next(200))}"
            case 3:
                // Flips of one member's channel, in and out: the latest line must win.
                let channel = ["sms", "push", "email", "wechat"][next(4)], flips = 1 + next(3)
                for flip in 0..<flips {
                    lines.append("{\"member_id\": \"\(member)\", \"type\": \"\(flip % 2 == 0 ? "opt_in" : "opt_out")\", "
                        + "\"at\": \"\(at)\", \"channel\": \"\(channel)\", \"n\": \(index * 10 + flip)}")
                }
                line = "{\(id)\"member_id\": \"\(member)\", \"type\": \"login\", \"at\": \"\(at)\"}"
            case 4: line = "{\(id)\"member_id\": \"\(member)\", \"type\": \"topup\", \"at\": \"\(at)\", \"amount\": \(next(500)), "
                + "\"bonus\": \(next(20))}"
            case 5: line = "{\(id)\"member_id\": \"\(member)\", \"type\": \"stored_value_spend\", \"at\": \"\(at)\", "
                + "\"amount\": \(next(90)).5}"
            case 6, 7: line = "{\(id)\"member_id\": \"\(send?.member ?? member)\", \"type\": \"purchase\", \"at\": \"\(at)\", "
                + "\"amount\": \(next(400)).25, \"sku\": \"S\(next(9))\", \"category\": \"食品\", \"order_id\": \"O\(index)\"}"
            case 8: line = "{\(id)\"member_id\": \"\(send?.member ?? member)\", \"type\": \"click\", \"at\": \"\(at)\", "
                + "\"token\": \"\(next(6) == 0 ? "NOSUCHTOKEN" : send?.token ?? "x")\"}"
            case 9: line = "{\(id)\"member_id\": \"\(send?.member ?? member)\", \"type\": \"redeem\", \"at\": \"\(at)\", "
                + "\"coupon\": \"\(next(6) == 0 ? "NOSUCHCOUPON" : send?.coupon ?? "none")\"}"
            case 10: line = "{\(id)\"type\": \"\(next(3) == 0 ? "undelivered" : "delivered")\", \"at\": \"\(at)\", "
                + (next(2) == 0 ? "\"key\": \"\(send?.key ?? "k")\"}" : "\"provider_id\": \"P\(send?.key ?? "k")\"}")
            case 11: line = "{\(id)\"member_id\": \"\(member)\", \"type\": \"login\", \"at\": \"\(at)\"}"
            case 12: line = "{\(id)\"member_id\": \"\(member)\", \"type\": \"wishlist_share\", \"at\": \"\(at)\"}"
            case 13: line = lines.isEmpty ? "{}" : lines[next(lines.count)]          // a line seen before
            case 14: line = "{\"member_id\": \"\(member)\", \"type\": \"points_spend\", \"at\": \"\(at)\"}"  // no points
            default: line = "not json \(index)"
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private struct Outcome: Equatable, Sendable {
        var summary: ImportSummary
        var warnings: [String]
        var rejections: [String]
        var dump: String
    }

    private func ingest(_ text: String, into store: SQLStore, _ fixture: EvaluationFixture, batchSize: Int) throws
        -> Outcome {
        let sink = CollectingSink()
        let ingester = try store.makeEventIngester(defaultTimeZone: fixture.zone,
                                                   clock: ManualWallClock(Date(timeIntervalSince1970: 1_780_000_000)),
                                                   batchSize: batchSize)
        let summary = try ingester.ingest(from: LineReader(path: try fixture.folder.write("e-\(UUID().uuidString).ndjson",
                                                                                            text)), sink: sink)
        return Outcome(summary: summary, warnings: sink.warnings.map { "\($0.line): \($0.message)" },
                       rejections: sink.rejections.map { "\($0.line): \($0.reason)" } + sink.rawRejected,
                       dump: try StoreDump.portable(store))
    }

    @Test func bothBackendsIngestToTheSameStore() async throws {
        let fixture = try EvaluationFixture(triggers: [
            "winback": EvaluationFixture.trigger("winback", kind: "inactivity", """
                params: { days: 30 }, holdout: 0.25, offer: { code_prefix: "WB", title: "满100减15", valid_days: 5 }
                """),
        ])
        let reference = try plannedStore(fixture, on: .sqlite)
        let rows = try reference.database.prepare("""
            SELECT m.id, o.link_token, o.coupon_code, o.idempotency_key FROM outbox o JOIN members m ON m.key = o.member_key
            ORDER BY o.idempotency_key
            """)
        var sends: [(member: String, token: String, coupon: String?, key: String)] = []
        while try rows.step() { sends.append((rows.text(at: 0)!, rows.text(at: 1)!, rows.text(at: 2), rows.text(at: 3)!)) }
        #expect(sends.count >= 10)
        let text = events(for: sends)
        let handed = Handed((self, fixture))
        /// The loads run off the test pool: they block for seconds.
        func load(_ store: SQLStore, _ batchSize: Int) async throws -> Outcome {
            let store = Handed(store)
            return try await OffThePool.run { try handed.value.0.ingest(text, into: store.value, handed.value.1, batchSize: batchSize) }
        }
        let expected = try await load(reference, 100_000)

        // The stream exercises what it is meant to.
        #expect(expected.summary.inserted > 400 && expected.summary.duplicates > 20 && expected.summary.rejected > 50)
        #expect(expected.warnings.contains { $0.contains("points were not matched") })
        #expect(expected.warnings.contains { $0.contains("a late redeem") })
        #expect(expected.warnings.contains { $0.contains("belongs to no send") })
        #expect(expected.rejections.contains { $0.contains("unknown member 'GHOST'") })
        #expect(expected.dump.contains("|delivered|") && expected.dump.contains("|undelivered|"))
        for batchSize in [1, 7, 100_000] {
            let store = try plannedStore(fixture, on: .postgres)
            let outcome = try await load(store, batchSize)
            #expect(outcome.summary == expected.summary, "batch \(batchSize)")
            #expect(outcome.warnings == expected.warnings, "batch \(batchSize)")
            #expect(outcome.rejections == expected.rejections, "batch \(batchSize)")
            let differing = zip(outcome.dump.split(separator: "\n"), expected.dump.split(separator: "\n"))
                .first { $0 != $1 }
            #expect(outcome.dump == expected.dump, "batch \(batchSize): first difference \(String(describing: differing))")
            // Ingesting the file again changes nothing, on either backend.
            let again = try await load(store, batchSize)
            #expect(again.dump == expected.dump && again.summary.inserted == 0, "batch \(batchSize), again")
        }
    }

    /// Members the same way: a file whose rows carry different columns, one member several
    /// times, tags with separators inside a list, balances that come and go.
    @Test func bothBackendsImportToTheSameStore() throws {
        let folder = try TemporaryDirectory()
        let files = [
            ("a.csv", "id,name,phone,tags,stored_value,consent_sms\nA1,张三,13800138000,\"vip;母婴\",10,yes\nA2,李四,,,,no\n"
                + "A1,张三丰,13800138000,vip,10,yes\nA3,,,,5.5,\n"),
            ("b.ndjson", """
                {"id": "A1", "tier": "金卡"}
                {"id": "A2", "tags": ["a;b", "c,d", "e"], "stored_value": 20}
                {"id": "A4", "name": "王五", "birthday": "--02-29"}
                {"id": "A2", "stored_value": 20}
                {"id": "A3", "stored_value": ""}
                {"id": "A1", "name": "张三丰"}
                {"id": "A5", "phone": "12"}

                """),
            ("a.csv", "id,name,phone,tags,stored_value,consent_sms\nA1,张三,13800138000,\"vip;母婴\",10,yes\n"),
        ]
        func load(_ backend: StoreBackend, batchSize: Int) throws -> (String, [ImportSummary]) {
            let store = try backend.makeStore(in: folder, name: "\(UUID().uuidString).db")
            var summaries: [ImportSummary] = []
            for (name, text) in files {
                let importer = try store.makeMemberImporter(defaultTimeZone: TimeZone(identifier: "Asia/Shanghai")!,
                                                            batchSize: batchSize)
                summaries.append(try importer.importMembers(from: LineReader(path: try folder.write(name, text)),
                                                            format: MemberFileFormat(forPath: name), sink: CollectingSink()))
            }
            return (try StoreDump.portable(store), summaries)
        }
        let expected = try load(.sqlite, batchSize: 100_000)
        #expect(expected.0.contains("A2|a;b") && expected.0.contains("A2|c,d"))
        for batchSize in [1, 2, 100_000] {
            let outcome = try load(.postgres, batchSize: batchSize)
            #expect(outcome.1 == expected.1, "batch \(batchSize)")
            #expect(outcome.0 == expected.0, "batch \(batchSize)")
        }
    }
}
