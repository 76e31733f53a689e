import Foundation
import Testing
import HeraldCore
@_spi(StoreSQL) import HeraldTestSupport
@_spi(StoreSQL) @testable import HeraldStore

private let clock = ManualWallClock(Date(timeIntervalSince1970: 1_779_240_600))

@discardableResult
private func ingest(_ text: String, into store: SQLStore, folder: TemporaryDirectory,
                    sink: CollectingSink = CollectingSink()) throws -> ImportSummary {
    let path = try folder.write("events-\(UUID().uuidString).ndjson", text)
    let ingester = try SQLEventIngester(store: store, defaultTimeZone: shanghai, clock: clock, batchSize: 3)
    return try ingester.ingest(from: LineReader(path: path), sink: sink)
}

private func storeWithMembers(_ folder: TemporaryDirectory, _ backend: StoreBackend) throws -> SQLStore {
    let store = try backend.makeStore(in: folder)
    try importMembers("id,registered_at,stored_value\nU1,2024-01-01,150\nU2,2024-01-01,\n", into: store, folder: folder)
    return store
}

private func instant(_ text: String) -> Date { InstantParser(defaultTimeZone: shanghai).parse(text)! }

@Suite struct EventIngesterTests {
    @Test(arguments: StoreBackend.allCases) func pointsAreSpentFirstExpiringFirst(_ backend: StoreBackend) throws {
        let folder = try TemporaryDirectory()
        let store = try storeWithMembers(folder, backend)
        let sink = CollectingSink()
        try ingest("""
            {"member_id":"U1","type":"points_earn","at":"2026-01-01","points":300,"expires_at":"2026-12-31"}
            {"member_id":"U1","type":"points_earn","at":"2026-02-01","points":500,"expires_at":"2026-06-30"}
            {"member_id":"U1","type":"points_earn","at":"2026-02-02","points":100,"expires_at":"2026-03-01"}
            {"member_id":"U1","type":"points_spend","at":"2026-04-01","points":600}
            {"member_id":"U1","type":"points_spend","at":"2026-05-01","points":250}
            """, into: store, folder: folder, sink: sink)
        let lots = try #require(try store.member(id: "U1")).pointsLots
        // The March lot had expired by the first spend: it is skipped, not used.
        #expect(lots.map(\.expiresAt) == [instant("2026-03-01"), instant("2026-06-30"), instant("2026-12-31")])
        #expect(lots.map(\.remaining) == [100, 0, 0])
        #expect(sink.warnings.count == 1)
        #expect(sink.warnings.first?.line == 5)
        #expect(sink.warnings.first?.message.contains("50 points were not matched") == true)
        #expect(try store.member(id: "U1")?.pointsBalance(at: instant("2026-05-02")) == 0)
    }

    @Test(arguments: StoreBackend.allCases) func consentFlipsInArrivalOrder(_ backend: StoreBackend) throws {
        let folder = try TemporaryDirectory()
        let store = try storeWithMembers(folder, backend)
        try ingest("""
            {"member_id":"U1","type":"opt_in","at":"2026-05-01","channel":"sms"}
            {"member_id":"U1","type":"opt_out","at":"2026-05-02","channel":"sms"}
            {"member_id":"U1","type":"opt_in","at":"2026-05-03","channel":"push"}
            """, into: store, folder: folder)
        #expect(try store.member(id: "U1")?.profile.consents == [.sms: .no, .push: .yes, .email: .unknown, .wechat: .unknown])
    }

    @Test(arguments: StoreBackend.allCases) func storedValueSpendAndActivity(_ backend: StoreBackend) throws {
        let folder = try TemporaryDirectory()
        let store = try storeWithMembers(folder, backend)
        try ingest("""
            {"member_id":"U1","type":"topup","at":"2026-05-01T10:00:00+08:00","amount":100,"bonus":20}
            {"member_id":"U1","type":"stored_value_spend","at":"2026-05-02","amount":70.5}
            {"member_id":"U2","type":"topup","at":"2026-05-03","amount":50}
            {"member_id":"U1","type":"purchase","at":"2026-05-04T09:00:00+08:00","amount":199.9}
            {"member_id":"U1","type":"purchase","at":"2026-05-03","amount":0.1}
            {"member_id":"U2","type":"points_earn","at":"2026-06-01","points":5,"expires_at":"2027-01-01"}
            {"member_id":"U2","type":"wishlist_share","at":"2026-06-02"}
            """, into: store, folder: folder)
        let u1 = try #require(try store.member(id: "U1"))
        #expect(u1.profile.storedValue == Money(fen: 15_000 + 12_000 - 7_050))
        #expect(u1.lastTopupAt == instant("2026-05-01T10:00:00+08:00"))
        #expect(u1.totalSpent == Money(fen: 20_000))
        #expect(u1.lastActivityAt == instant("2026-05-04T09:00:00+08:00"))   // latest activity, not latest line
        let u2 = try #require(try store.member(id: "U2"))
        #expect(u2.profile.storedValue == Money(fen: 5_000))                          // an account opened by a top-up
        // points_earn and an unknown type are stored but are not activity.
        #expect(u2.lastActivityAt == instant("2026-05-03"))
        #expect(u2.eventCount == 3)
    }

    @Test(arguments: StoreBackend.allCases) func ingestingTwiceStoresEachEventOnceAndAppliesEffectsOnce(_ backend: StoreBackend) throws {
        let folder = try TemporaryDirectory()
        let store = try storeWithMembers(folder, backend)
        let text = """
            {"member_id":"U1","type":"topup","at":"2026-05-01","amount":100}
            {"id":"e2","member_id":"U1","type":"points_earn","at":"2026-05-01","points":10,"expires_at":"2027-01-01"}
            {"member_id":"U1","type":"points_spend","at":"2026-05-02","points":4}
            {"member_id":"U1","type":"login","at":"2026-05-03"}
            """
        let first = try ingest(text, into: store, folder: folder)
        let dump = try StoreDump.of(store)
        let second = try ingest(text, into: store, folder: folder)
        #expect(first.inserted == 4 && first.duplicates == 0)
        #expect(second.inserted == 0 && second.duplicates == 4)
        #expect(try StoreDump.of(store) == dump)
        #expect(try store.member(id: "U1")?.profile.storedValue == Money(fen: 25_000))
    }

    @Test(arguments: StoreBackend.allCases) func reimportingAMemberFileKeepsTheBalanceEventsChanged(_ backend: StoreBackend) throws {
        let folder = try TemporaryDirectory()
        let store = try storeWithMembers(folder, backend)                       // U1 imported with ¥150
        try ingest(#"{"member_id":"U1","type":"topup","at":"2026-05-01","amount":100}"#, into: store, folder: folder)
        let again = try importMembers("id,registered_at,stored_value\nU1,2024-01-01,150\nU2,2024-01-01,\n", into: store,
                                      name: "again.csv", folder: folder)
        #expect(again.updated == 0 && again.duplicates == 2)
        #expect(try store.member(id: "U1")?.profile.storedValue == Money(fen: 25_000))
        // A new snapshot from the member system replaces the balance (it includes what happened before it).
        try importMembers("id,stored_value\nU1,300\n", into: store, name: "new.csv", folder: folder)
        #expect(try store.member(id: "U1")?.profile.storedValue == Money(fen: 30_000))
    }

    @Test(arguments: StoreBackend.allCases) func rejectsUnknownMembersButKeepsReceiptsWithoutOne(_ backend: StoreBackend) throws {
        let folder = try TemporaryDirectory()
        let store = try storeWithMembers(folder, backend)
        let sink = CollectingSink()
        let summary = try ingest("""
            {"member_id":"U9","type":"login","at":"2026-05-01"}
            {"type":"delivered","at":"2026-05-01","key":"k-1"}
            {"member_id":"U1","type":"login","at":"2026-05-01"

            {"member_id":"U1","type":"login","at":"2026-05-01"}
            """, into: store, folder: folder, sink: sink)
        #expect(summary.read == 4 && summary.inserted == 2 && summary.rejected == 2)
        #expect(sink.reasons[1] == "member_id: unknown member 'U9' (import members first)")
        #expect(sink.reasons[3]?.hasPrefix("invalid JSON") == true)
        #expect(sink.rawRejected[0] == "{\"member_id\":\"U9\",\"type\":\"login\",\"at\":\"2026-05-01\"}\n")
        #expect(try store.database.scalarInteger("SELECT count(*) FROM events WHERE member_key IS NULL") == 1)
    }
}
