import Foundation
import Testing
import HeraldCore
@_spi(StoreSQL) import HeraldStore
@_spi(StoreSQL) import HeraldTestSupport
import HeraldWorker

private let sandbox = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Sandbox").path

/// What a run's tick leaves out in SQL (issue 13) against what the policy decides in Swift:
/// the paged reading of a writing connection, new occurrences of members already decided, and
/// SPEC 2.1 rule 3 (address and consent) as SQL against the policy's own.
@Suite struct IncrementalTickTests {
    /// A writing connection reads its candidates back a page at a time: with pages of 1, 2, 3
    /// and 7 rows (exact multiples and remainders) every trigger yields what the read-only,
    /// streaming connection yields, in the same order.
    @Test(arguments: StoreBackend.allCases, [1, 2, 3, 7])
    func pagedCandidatesAreTheStreamedOnes(_ backend: StoreBackend, pageSize: Int) throws {
        let at = try #require(try ConfigLoader.load(path: sandbox + "/herald.json5").sandboxAt)
        let folder = try TemporaryDirectory()
        let session = try SandboxSession(folder: sandbox, clock: ManualWallClock(at), horizon: at,
                                         store: try backend.makeLocation(in: folder)) { _ in CollectingSink() }
        let writing = try #require(session.store as? SQLStore)
        writing.candidatePageSize = pageSize
        let reading = try StoreBackend.open(writing.location, readOnly: true)
        let config = session.catalog.config
        let zones = TimeZoneResolver(defaultZone: config.timeZone)
        var total = 0
        for trigger in session.catalog.triggers {
            let request = CandidateRequest(trigger: trigger, at: at, defaultTimeZone: config.timeZone,
                                           defaultLocale: config.locale, withPointsBalance: true)
            func candidates(_ store: SQLStore) throws -> [String] {
                var found: [String] = []
                try store.forEachCandidate(request, zones: zones) { candidate in
                    found.append("\(candidate.member.id) \(candidate.occurrenceKey)")
                }
                return found
            }
            let paged = try candidates(writing)
            #expect(paged == (try candidates(reading)), "\(trigger.id)")
            total += paged.count
        }
        #expect(total == 30)
    }

    /// A member already decided comes back as soon as something new happens: a top-up that
    /// leaves the balance low (a new low_balance occurrence), a newer cart.
    @Test(arguments: StoreBackend.allCases) func aNewOccurrenceOfADecidedMemberIsPlanned(_ backend: StoreBackend) async throws {
        let fixture = try EvaluationFixture(triggers: [
            "low": EvaluationFixture.trigger("low", kind: "low_balance", "params: { below: 100 }, category: 'service'"),
            "cart": EvaluationFixture.trigger("cart", kind: "cart_abandonment", "category: 'service'"),
        ])
        let cart = #"{"id": "c1", "member_id": "U2", "type": "cart_add", "at": "2026-03-10 06:00:00", "sku": "S1"}"#
        let members = "id,phone,stored_value,consent_sms\nU1,13800138001,50,yes\nU2,13800138002,,yes"
        let store = try fixture.on(backend).store(members: members, events: cart)
        let runner = try EvaluationRunner(store: store.location, catalog: try fixture.catalog(),
                                          codes: .seededByInstant)
        let first = try await runner.evaluate(at: fixture.at("2026-03-10 12:00:00"))
        #expect(first.written.written == 2)
        let ingester = try store.makeEventIngester(defaultTimeZone: fixture.zone, clock: ManualWallClock(Date()))
        _ = try ingester.ingest(lines: [
            #"{"id": "t1", "member_id": "U1", "type": "topup", "at": "2026-03-10 12:30:00", "amount": 10}"#,
            #"{"id": "c2", "member_id": "U2", "type": "cart_add", "at": "2026-03-10 10:30:00", "sku": "S2"}"#,
        ], sink: CollectingSink())
        let second = try await runner.evaluate(at: fixture.at("2026-03-10 13:00:00"))
        #expect(second.written.written == 2)
        let keys = try store.database.prepare("SELECT occurrence_key FROM outbox ORDER BY key")
        var written: [String] = []
        while try keys.step() { written.append(keys.text(at: 0) ?? "") }
        #expect(written == ["cart:c1", "low_balance:initial", "cart:c2", "low_balance:2026-03-10T04:30:00Z"])
    }

    /// Rule 3 as SQL against the policy: members with every mix of phone, push token and
    /// consent, for a marketing and a service trigger on push then SMS, all suppressed by the
    /// audience first (rule 2). A run's second tick must read again exactly those the policy
    /// would find reachable — the others it may leave out.
    @Test(arguments: StoreBackend.allCases) func theConsentTestInSQLIsThePolicys(_ backend: StoreBackend) async throws {
        let fixture = try EvaluationFixture(triggers: [
            "promo": EvaluationFixture.trigger("promo", kind: "inactivity", """
                params: { days: 30 }, channels: ['push', 'sms'], audience: { field: "tier", eq: "钻卡" }
                """),
            "notice": EvaluationFixture.trigger("notice", kind: "inactivity", """
                params: { days: 30 }, channels: ['push', 'sms'], category: 'service',
                audience: { field: "tier", eq: "钻卡" }
                """),
        ])
        var rows: [String] = []
        var index = 0
        for phone in ["", "13800138000"] {
            for token in ["", "ptk_1"] {
                for sms in ["", "yes", "no"] {
                    for push in ["", "yes", "no"] {
                        index += 1
                        let number = phone.isEmpty ? "" : String(phone.dropLast(2)) + String(format: "%02d", index)
                        rows.append("M\(index),\(number),\(token),金卡,2024-01-01,2026-01-01,\(sms),\(push)")
                    }
                }
            }
        }
        let header = "id,phone,push_token,tier,registered_at,last_active_at,consent_sms,consent_push\n"
        let store = try fixture.on(backend).store(members: header + rows.joined(separator: "\n"))
        let catalog = try fixture.catalog()
        let runner = try EvaluationRunner(store: store.location, catalog: catalog, codes: .seededByInstant)
        let at = fixture.at("2026-03-10 12:00:00")
        let first = try await runner.evaluate(at: at)
        #expect(first.triggers.map(\.candidates) == [36, 36] && first.evaluation.suppressed[.audience] == 72)
        let second = try await runner.evaluate(at: at)
        // What the policy finds reachable, member by member, in Swift.
        var expected: [String: Int] = [:]
        for trigger in catalog.triggers {
            let kinds = trigger.channels.compactMap { catalog.config.channel(named: $0)?.kind }
            let profiles = try (1...36).map { try #require(try store.member(id: "M\($0)")) }
            expected[trigger.id] = profiles.count { snapshot in
                let member = CandidateMember(key: snapshot.key, id: snapshot.id, profile: snapshot.profile,
                                             timeZone: fixture.zone, locale: "zh-CN")
                return kinds.contains { kind in
                    member.address(for: kind) != nil && member.profile.consent(for: kind).allows(trigger.category)
                }
            }
        }
        #expect(Dictionary(uniqueKeysWithValues: second.triggers.map { ($0.triggerID, $0.candidates) }) == expected)
        #expect(expected["promo"]! < expected["notice"]! && expected["promo"]! > 0)
    }
}
