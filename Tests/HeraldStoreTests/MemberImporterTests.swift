import Foundation
import Testing
import HeraldCore
@_spi(StoreSQL) import HeraldTestSupport
@_spi(StoreSQL) @testable import HeraldStore

let shanghai = TimeZone(identifier: "Asia/Shanghai")!

/// Imports `text` (written to a file named `name`) into `store`.
@discardableResult
func importMembers(_ text: String, into store: SQLStore, name: String = "members.csv", folder: TemporaryDirectory,
                   sink: CollectingSink = CollectingSink()) throws -> ImportSummary {
    let path = try folder.write(name, text)
    let importer = try store.makeMemberImporter(defaultTimeZone: shanghai, batchSize: 2)
    return try importer.importMembers(from: LineReader(path: path), format: MemberFileFormat(forPath: name), sink: sink)
}

private let fullCSV = """
    id,name,phone,email,push_token,birthday,timezone,locale,tier,region,registration_channel,registered_at,last_active_at,tags,stored_value,consent_sms,consent_push,consent_email,wechat_openid,consent_wechat
    U1,张三,138 1234 5678,z@example.cn,tok-1234,1990-05-20,,zh-CN,金卡,上海,app,2024-01-02 10:00:00,2026-04-01T12:00:00+08:00,"vip;母婴",150.00,yes,,no,oUpF8uMuAJO_M2pxb1Q9zNjWeS6o,yes
    U2,"李, 四",+86 139-0000-1111,,,--02-29,America/New_York,en,银卡,纽约,web,2024-03-01T08:00:00Z,,,,no,yes,,,

    """

@Suite struct MemberImporterTests {
    @Test(arguments: StoreBackend.allCases) func importsEveryColumn(_ backend: StoreBackend) throws {
        let folder = try TemporaryDirectory()
        let store = try backend.makeStore(in: folder)
        let summary = try importMembers(fullCSV, into: store, folder: folder)
        #expect(summary == { var s = ImportSummary(); s.read = 2; s.inserted = 2; return s }())
        let u1 = try #require(try store.member(id: "U1"))
        #expect(u1.profile.name == "张三")
        #expect(u1.profile.phone?.e164 == "+8613812345678")
        #expect(u1.profile.birthday == Birthday(year: 1990, month: 5, day: 20))
        #expect(u1.profile.timeZone == nil)
        #expect(u1.profile.tags == ["母婴", "vip"].sorted())
        #expect(u1.profile.storedValue == Money(fen: 15_000))
        #expect(u1.profile.consents == [.sms: .yes, .push: .unknown, .email: .no, .wechat: .yes])
        #expect(u1.profile.wechatOpenID == "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o")
        #expect(u1.lastActivityAt == InstantParser(defaultTimeZone: shanghai).parse("2026-04-01T12:00:00+08:00"))
        let u2 = try #require(try store.member(id: "U2"))
        #expect(u2.profile.name == "李, 四")
        #expect(u2.profile.birthday == Birthday(year: nil, month: 2, day: 29))
        #expect(u2.profile.timeZone == "America/New_York")
        #expect(u2.profile.storedValue == nil)
        #expect(try store.database.scalarInteger("SELECT count(*) FROM member_tags") == 2)
    }

    @Test(arguments: StoreBackend.allCases) func reimportingTheSameFileChangesNothing(_ backend: StoreBackend) throws {
        let folder = try TemporaryDirectory()
        let store = try backend.makeStore(in: folder)
        try importMembers(fullCSV, into: store, folder: folder)
        let before = try StoreDump.of(store)
        let again = try importMembers(fullCSV, into: store, folder: folder)
        #expect(again.inserted == 0 && again.updated == 0 && again.duplicates == 2)
        #expect(try StoreDump.of(store) == before)
    }

    @Test(arguments: StoreBackend.allCases) func upsertUpdatesOnlyTheColumnsTheFileCarries(_ backend: StoreBackend) throws {
        let folder = try TemporaryDirectory()
        let store = try backend.makeStore(in: folder)
        try importMembers(fullCSV, into: store, folder: folder)
        let summary = try importMembers("id,tier,tags,phone\nU1,钻卡,新客,\nU3,银卡,,\n", into: store, name: "partial.csv",
                                        folder: folder)
        #expect(summary.inserted == 1 && summary.updated == 1 && summary.duplicates == 0)
        let u1 = try #require(try store.member(id: "U1"))
        #expect(u1.profile.tier == "钻卡")
        #expect(u1.profile.tags == ["新客"])
        #expect(u1.profile.phone == nil)                 // present and empty: cleared
        #expect(u1.profile.name == "张三")               // absent: kept
        #expect(u1.profile.storedValue == Money(fen: 15_000))
        #expect(try store.database.scalarInteger("SELECT count(*) FROM member_tags WHERE member_key = \(u1.key)") == 1)
    }

    @Test(arguments: StoreBackend.allCases) func aBalanceOnlyChangeIsAnUpdateAndAbsentBalanceIsKept(_ backend: StoreBackend) throws {
        let folder = try TemporaryDirectory()
        let store = try backend.makeStore(in: folder)
        try importMembers(fullCSV, into: store, folder: folder)
        let changed = try importMembers("id,tier,stored_value\nU1,金卡,99.5\nU2,银卡,\n", into: store, name: "b.csv", folder: folder)
        #expect(changed.updated == 1 && changed.duplicates == 1)
        #expect(try store.member(id: "U1")?.profile.storedValue == Money(fen: 9_950))
        try importMembers("id,tier\nU1,钻卡\n", into: store, name: "c.csv", folder: folder)
        #expect(try store.member(id: "U1")?.profile.storedValue == Money(fen: 9_950))
    }

    @Test(arguments: StoreBackend.allCases) func lastActivityIsTheLatestOfProfileAndEventsAcrossImports(_ backend: StoreBackend) throws {
        let folder = try TemporaryDirectory()
        let store = try backend.makeStore(in: folder)
        let instants = InstantParser(defaultTimeZone: shanghai)
        try importMembers("id,registered_at,last_active_at\nU1,2024-01-01,2025-01-01\n", into: store, folder: folder)
        #expect(try store.member(id: "U1")?.lastActivityAt == instants.parse("2025-01-01"))
        let events = try folder.write("e.ndjson", #"{"member_id":"U1","type":"login","at":"2026-03-01"}"#)
        let ingester = try store.makeEventIngester(defaultTimeZone: shanghai, clock: SystemWallClock())
        _ = try ingester.ingest(from: LineReader(path: events), sink: CollectingSink())
        // A later import that moves last_active_at back keeps the newer event…
        try importMembers("id,last_active_at\nU1,2024-06-01\n", into: store, name: "b.csv", folder: folder)
        #expect(try store.member(id: "U1")?.lastActivityAt == instants.parse("2026-03-01"))
        // …and one that moves it past the event wins.
        try importMembers("id,last_active_at\nU1,2026-04-01\n", into: store, name: "c.csv", folder: folder)
        #expect(try store.member(id: "U1")?.lastActivityAt == instants.parse("2026-04-01"))
    }

    @Test(arguments: StoreBackend.allCases) func aMemberTwiceInOneFileIsInsertedThenUpdated(_ backend: StoreBackend) throws {
        let folder = try TemporaryDirectory()
        let store = try backend.makeStore(in: folder)
        let summary = try importMembers("id,tier\nU1,银卡\nU1,金卡\nU1,金卡\n", into: store, folder: folder)
        #expect(summary.inserted == 1 && summary.updated == 1 && summary.duplicates == 1)
        #expect(try store.member(id: "U1")?.profile.tier == "金卡")
    }

    @Test(arguments: StoreBackend.allCases) func badRowsAreReportedAndGoodRowsLand(_ backend: StoreBackend) throws {
        let folder = try TemporaryDirectory()
        let store = try backend.makeStore(in: folder)
        let sink = CollectingSink()
        let text = """
            id,phone,birthday,stored_value
            U1,13812345678,1990-05-20,10
            U2,12345,,
            U3,,1990-02-30,
            U4,,,-1
            U5,,
            ,13812345678,,
            U6,"13812345678"x,,
            U7,,,1.5

            """
        let summary = try importMembers(text, into: store, folder: folder, sink: sink)
        #expect(summary.read == 8 && summary.inserted == 2 && summary.rejected == 6)
        #expect(sink.reasons[3]?.hasPrefix("phone: found \"12345\"") == true)
        #expect(sink.reasons[4]?.hasPrefix("birthday: found \"1990-02-30\"") == true)
        #expect(sink.reasons[5]?.hasPrefix("stored_value: found \"-1\"") == true)
        #expect(sink.reasons[6] == "expected 4 fields as in the header, found 3")
        #expect(sink.reasons[7] == "id: missing (every member needs an id)")
        #expect(sink.reasons[8] == "field 2: unexpected text after the closing quote")
        #expect(sink.rawRejected[0] == "U2,12345,,\n")
        #expect(String(decoding: sink.header ?? [], as: UTF8.self) == "id,phone,birthday,stored_value\n")
        #expect(try store.member(id: "U7")?.profile.storedValue == Money(fen: 150))
    }

    @Test(arguments: [
        ("id,phon\nU1,1\n", "members.csv:1: column 2: unknown column 'phon'"),
        ("id,name,ID\n", "members.csv:1: column 3: 'ID' appears twice in the header"),
        ("name\n张三\n", "members.csv:1: the header has no 'id' column"),
        ("", "members.csv:1: the file is empty"),
    ])
    func aBadHeaderStopsTheImportWithAClearError(text: String, message: String) throws {
        let folder = try TemporaryDirectory()
        let store = try SQLStore(path: folder.file("h.db"))
        do {
            try importMembers(text, into: store, folder: folder)
            Issue.record("expected an error")
        } catch let diagnostic as Diagnostic {
            #expect(diagnostic.description.contains(message), "\(diagnostic)")
        }
        #expect(try store.database.scalarInteger("SELECT count(*) FROM members") == 0)
    }

    @Test(arguments: StoreBackend.allCases) func ndjsonMembers(_ backend: StoreBackend) throws {
        let folder = try TemporaryDirectory()
        let store = try backend.makeStore(in: folder)
        let sink = CollectingSink()
        let text = """
            {"id": "U1", "name": "张三", "phone": 13812345678, "tags": ["vip", "母婴"], "consent_sms": true, "stored_value": 88.8}
            {"id": "U2", "phon": "13812345678"}
            {"id": "U3", "tags": {"a": 1}}
            not json
            {"id": 42, "birthday": "--12-31"}
            """
        let summary = try importMembers(text, into: store, name: "members.ndjson", folder: folder, sink: sink)
        #expect(summary.inserted == 2 && summary.rejected == 3)
        #expect(sink.rejections[0].reason.hasPrefix("unknown key 'phon'") && sink.rejections[0].column == 14)
        #expect(sink.reasons[3]?.hasPrefix("tags: expected a string") == true)
        #expect(sink.reasons[4]?.hasPrefix("invalid JSON") == true)
        let u1 = try #require(try store.member(id: "U1"))
        #expect(u1.profile.tags == ["vip", "母婴"].sorted() && u1.profile.consents[.sms] == .yes && u1.profile.storedValue == Money(fen: 8880))
        #expect(try store.member(id: "42")?.profile.birthday == Birthday(year: nil, month: 12, day: 31))
    }
}

/// The import's suppression guard decides the same whether it holds the list in memory or
/// probes the store per row (a list longer than it holds).
@Suite struct SuppressedConsentGuardTests {
    @Test(arguments: StoreBackend.allCases, [0, SuppressedConsentGuard.heldListLimit])
    func heldAndProbedListsDecideAlike(_ backend: StoreBackend, heldListLimit: Int) throws {
        let folder = try TemporaryDirectory()
        let store = try backend.makeStore(in: folder)
        try importMembers("id,phone,consent_sms\nU1,13812345678,no\nU2,13900000002,yes\n", into: store, folder: folder)
        _ = try store.suppress([SuppressibleAddress(kind: .sms, address: "+8613812345678"),
                                SuppressibleAddress(kind: .sms, address: "+8613900000002")], reason: "test", at: Date())
        let guardian = try SuppressedConsentGuard(of: store, heldListLimit: heldListLimit)
        var decoder = MemberRecordDecoder(defaultTimeZone: shanghai)
        func record(_ id: String, _ phone: String?) throws -> MemberRecord {
            var values: [(field: MemberField, input: MemberInput)] = [(.id, .text(id)), (.consentSMS, .text("yes"))]
            if let phone { values.append((.phone, .text(phone))) }
            return try decoder.decode(values)
        }
        // U1 said no and its stored number is listed: the row's yes is refused.
        var u1 = try record("U1", nil)
        #expect(try guardian.check(&u1)?.contains("+86138****5678 is on the suppression list") == true)
        #expect(u1.profile.consent(for: .sms) == .no)
        // U2's yes is already stored: it stays. A new member with an unlisted number: nothing to say.
        var u2 = try record("U2", nil)
        #expect(try guardian.check(&u2) == nil && u2.profile.consent(for: .sms) == .yes)
        var u3 = try record("U3", "13700000003")
        #expect(try guardian.check(&u3) == nil && u3.profile.consent(for: .sms) == .yes)
        var u4 = try record("U4", "138 1234 5678")
        #expect(try guardian.check(&u4) != nil && u4.profile.consent(for: .sms) == .no)
    }
}
