import Foundation
import Testing
import HeraldCore
import HeraldDelivery
@_spi(StoreSQL) import HeraldStore
@_spi(StoreSQL) import HeraldTestSupport
import HeraldWorker

/// `offer.issuer`: the coupon system hears of each send's coupon before its message goes out,
/// once per send (retried like a send, with one key), its code replaces Herald's in the
/// message and in the store, and a coupon it does not issue holds the message back.
@Suite(.timeLimit(.minutes(2))) struct CouponIssuanceTests {
    /// The gateway's SMS path and a coupon system on `/coupons`: its code is `CRM-<member>`,
    /// the same for every call with one key (as an idempotent coupon system answers).
    private static func harness(_ gateway: LoopbackGateway, backend: StoreBackend = .sqlite, members: Int = 3,
                                issuer: String? = nil, trigger: String = "", dispatch: String? = nil) throws -> DeliveryHarness {
        let coupons = gateway.url.replacingOccurrences(of: "/send", with: "/coupons")
        let entry = issuer ?? """
            { url: "\(coupons)", timeout: "5s", headers: { Authorization: "Bearer {{ secret.CRM_TOKEN }}" },
              body: { member: "{{ member_id }}", planned: "{{ code }}", key: "{{ idempotency_key }}", until: "{{ expires_at }}" },
              code_field: "data.coupon_code" }
            """
        return try DeliveryHarness(
            gateway: gateway, backend: backend, members: DeliveryHarness.silentMembers(members),
            trigger: #"offer: { code_prefix: "WB", title: "满100减10", valid_days: 7, issuer: \#(entry) }, \#(trigger)"#,
            dispatch: dispatch ?? #"max_attempts: 3, backoff: "60s", lease: "5m""#,
            templates: ["t/sms.zh-CN.txt": "券码{{ coupon.code }}已放入账户", "t/push.zh-CN.txt": "title: 券\n\n券码{{ coupon.code }}"])
    }

    private static func isCoupon(_ request: LoopbackGateway.Request) -> Bool { request.target.hasPrefix("/coupons") }

    /// `CRM-<member>` for a coupon request's body.
    private static func crmCode(_ request: LoopbackGateway.Request) -> String {
        let member = request.body.firstMatch(of: /"member": ?"(M\d+)"/)?.1 ?? "?"
        return "CRM-\(member)"
    }

    @Test(arguments: StoreBackend.allCases)
    func theCouponIsIssuedOnceBeforeItsMessageWhichCarriesTheIssuedCode(_ backend: StoreBackend) async throws {
        // M1's first issuance call fails (503); M2's first message call fails (503).
        let gateway = try LoopbackGateway { request in
            if Self.isCoupon(request) {
                if Self.crmCode(request) == "CRM-M1" && request.occurrence == 1 { return .status(503, body: "busy") }
                return .status(200, body: #"{"data":{"coupon_code":"\#(Self.crmCode(request))"}}"#)
            }
            if request.body.contains("CRM-M2") && request.occurrence == 1 { return .status(503, body: "busy") }
            return .status(200, body: #"{"message_id":"m"}"#)
        }
        let harness = try Self.harness(gateway, backend: backend)
        try harness.plan()
        let planned = try harness.store.column("SELECT coupon_code FROM outbox ORDER BY member_key")
        #expect(planned.count == 3 && planned.allSatisfy { $0.hasPrefix("WB") })
        let dispatcher = try harness.dispatcher(secrets: ["CRM_TOKEN": "crm-t0ken"])
        #expect(try await harness.deliverUntilSettled(dispatcher))
        #expect(try harness.rows().map(\.status) == ["sent", "sent", "sent"])

        let issuance = gateway.requests.filter(Self.isCoupon)
        let messages = gateway.requests.filter { !Self.isCoupon($0) }
        // One key per coupon, every call; M1 asked twice (after its 503), the others once,
        // and M2's message retry did not ask again.
        #expect(Dictionary(grouping: issuance, by: Self.crmCode).mapValues(\.count) == ["CRM-M1": 2, "CRM-M2": 1, "CRM-M3": 1])
        for calls in Dictionary(grouping: issuance, by: Self.crmCode).values {
            #expect(Set(calls.map(\.idempotencyKey)).count == 1 && calls[0].idempotencyKey.hasSuffix("/coupon"))
        }
        #expect(issuance.allSatisfy { $0.headers["authorization"] == "Bearer crm-t0ken" })
        #expect(planned.allSatisfy { code in issuance.contains { $0.body.contains(#""planned": "\#(code)""#) } })
        // Each message carries the issued code, never Herald's, and left after its coupon was issued.
        for member in ["M1", "M2", "M3"] {
            let sent = messages.filter { $0.body.contains("CRM-\(member)") }
            #expect(!sent.isEmpty, "\(member)'s message carries its issued code")
            let issued = issuance.filter { Self.crmCode($0) == "CRM-\(member)" }.map(\.receivedAt).max()
            #expect(sent.allSatisfy { $0.receivedAt > issued! }, "\(member)'s message came after its coupon")
        }
        #expect(!messages.contains { message in planned.contains { message.body.contains($0) } })
        #expect(messages.count == 4, "three messages, M2's twice")
        // The store: the issued code is the coupon's (what a redeem names), the planned one kept.
        #expect(try harness.store.column("""
            SELECT coupon_code || ' ' || coupon_planned_code FROM outbox WHERE coupon_issued_at IS NOT NULL ORDER BY member_key
            """) == zip(["CRM-M1", "CRM-M2", "CRM-M3"], planned).map { "\($0) \($1)" })
        #expect(try harness.store.column("SELECT attempts FROM outbox ORDER BY member_key") == ["2", "2", "1"])
        // `outbox show` and `list` show the text as it went out.
        let (entries, _) = try harness.store.makeOutboxQueue(owner: "operator").entries(OutboxFilter(limit: 10))
        #expect(entries.map(\.text) == ["CRM-M1", "CRM-M2", "CRM-M3"].map { "【品牌】券码\($0)已放入账户回T退订" },
                "\(entries.map(\.text))")
        let ingester = try harness.store.makeEventIngester(defaultTimeZone: TimeZone(identifier: "Asia/Shanghai")!,
                                                           clock: harness.clock)
        _ = try ingester.ingest(lines: [#"{"id": "r1", "member_id": "M3", "type": "redeem", "coupon": "CRM-M3", "#
                                        + #""at": "2026-03-11T10:00:00+08:00"}"#], sink: CollectingSink())
        #expect(try harness.store.column("SELECT member_key FROM outbox WHERE redeemed_at IS NOT NULL") == ["3"])
        #expect(!harness.logLines.all.contains { $0.contains("crm-t0ken") })
    }

    @Test func aCouponNotIssuedHoldsItsMessageBack() async throws {
        // M1: the coupon system refuses (400); M2: it is down throughout; M3: it answers 200
        // without the code the config says it returns.
        let gateway = try LoopbackGateway { request in
            guard Self.isCoupon(request) else { return .status(200, body: #"{"message_id":"m"}"#) }
            switch Self.crmCode(request) {
            case "CRM-M1": return .status(400, body: #"{"error":"member 13800000001 not enrolled"}"#)
            case "CRM-M2": return .status(503, body: "down")
            default: return .status(200, body: #"{"data":{}}"#)
            }
        }
        let harness = try Self.harness(gateway, members: 3, dispatch: #"max_attempts: 2, backoff: "60s", lease: "5m""#)
        try harness.plan()
        #expect(try await harness.deliverUntilSettled(try harness.dispatcher(secrets: ["CRM_TOKEN": "t"])))
        #expect(gateway.requests.allSatisfy(Self.isCoupon), "no message went out")
        let rows = try harness.rows()
        #expect(rows.map(\.status) == ["failed", "failed", "failed"])
        #expect(rows[0].lastError?.hasPrefix("coupon not issued by offer.issuer: HTTP 400") == true, "\(rows[0])")
        #expect(rows[0].lastError?.contains("13800000001") == false, "the number is masked: \(rows[0])")
        #expect(rows[1].lastError?.hasPrefix("gave up after 2 attempts: coupon not issued by offer.issuer: HTTP 503") == true,
                "\(rows[1])")
        #expect(rows[2].lastError?.contains("without a code at data.coupon_code") == true, "\(rows[2])")
        #expect(rows.allSatisfy { $0.lastError?.hasSuffix("no message sent") == true })
        #expect(try harness.store.column("SELECT count(*) FROM outbox WHERE coupon_issued_at IS NOT NULL") == ["0"])
    }

    /// The coupon system misbehaves as a gateway would, and each row takes what a message's
    /// would: M1 throttled once (429) waits uncharged; M2's credentials refused (401, echoing
    /// the token) fails with an operator's error and no secret anywhere; M3 and M4 are given
    /// one code (only the first keeps it); M5 opted out after planning and is never asked about.
    @Test func theCouponSystemsFaultsAreHandledAsAGatewaysAre() async throws {
        let gateway = try LoopbackGateway { request in
            guard Self.isCoupon(request) else { return .status(200, body: #"{"message_id":"m"}"#) }
            switch Self.crmCode(request) {
            case "CRM-M1" where request.occurrence == 1:
                return .status(429, headers: ["Retry-After": "30"], body: "slow down")
            case "CRM-M2":
                return .status(401, body: #"{"error":"bad token Bearer crm-t0ken"}"#)
            case "CRM-M3", "CRM-M4":
                return .status(200, body: #"{"data":{"coupon_code":"SAME-CODE"}}"#)
            default:
                return .status(200, body: #"{"data":{"coupon_code":"\#(Self.crmCode(request))"}}"#)
            }
        }
        let harness = try Self.harness(gateway, members: 5, dispatch: #"max_attempts: 1, backoff: "60s", lease: "5m""#)
        try harness.plan()
        try harness.store.database.execute("UPDATE members SET consent_sms = 'no' WHERE id = 'M5'")
        let dispatcher = try harness.dispatcher(secrets: ["CRM_TOKEN": "crm-t0ken"])
        #expect(try await harness.deliverUntilSettled(dispatcher))
        let rows = try harness.rows()
        // M3 and M4 ask at once: whichever is recorded first keeps the code.
        let (kept, refused) = rows[2].status == "sent" ? (rows[2], rows[3]) : (rows[3], rows[2])
        #expect([rows[0], rows[1], rows[4]].map(\.status) == ["sent", "failed", "cancelled"], "\(rows)")
        #expect(kept.status == "sent" && refused.status == "failed")
        // M1: throttled, then issued and sent on its one attempt.
        #expect(try harness.attemptOutcomes(member: "M1") == ["throttled", "coupon_issued", "sent"])
        #expect(rows[0].attempts == 1)
        // M2: refused credentials: failed without a message, and an error for the operator.
        #expect(rows[1].lastError?.hasPrefix("coupon not issued by offer.issuer: HTTP 401") == true, "\(rows[1])")
        #expect(harness.logLines.all.contains { $0.contains("event=dispatch.issuer_misconfigured") && $0.contains("status=401") })
        // M3/M4: one code, one holder.
        #expect(refused.lastError?.contains("SAME-CODE, which another send already carries") == true, "\(refused)")
        #expect(try harness.store.column("SELECT count(*) FROM outbox WHERE coupon_code = 'SAME-CODE'") == ["1"])
        // M5: nobody who said no is given a coupon.
        let asked = Dictionary(grouping: gateway.requests.filter(Self.isCoupon), by: Self.crmCode).mapValues(\.count)
        #expect(asked == ["CRM-M1": 2, "CRM-M2": 1, "CRM-M3": 1, "CRM-M4": 1], "\(asked)")
        let messages = gateway.requests.filter { !Self.isCoupon($0) }.map(\.body)
        #expect(messages.count == 2 && messages.contains { $0.contains("CRM-M1") } && messages.contains { $0.contains("SAME-CODE") })
        #expect(await dispatcher.totals.couponsIssued == 2)
        let stored = try harness.store.column("SELECT coalesce(last_error, '') FROM outbox") + harness.logLines.all
        #expect(!stored.contains { $0.contains("crm-t0ken") }, "the token never reaches the store or the log")
    }

    /// An issued code is at most as long as Herald's own (what `validate` counted SMS
    /// segments and provider params with) unless the issuer's `max_code_length` says more.
    @Test(arguments: [nil, 40]) func longerCodesNeedMaxCodeLength(_ maxCodeLength: Int?) async throws {
        let long = "CRM-" + String(repeating: "X", count: 20)
        let gateway = try LoopbackGateway { request in
            Self.isCoupon(request) ? .status(200, body: #"{"coupon_code":"\#(long)"}"#) : .status(200, body: #"{"message_id":"m"}"#)
        }
        let coupons = gateway.url.replacingOccurrences(of: "/send", with: "/coupons")
        let limit = maxCodeLength.map { ", max_code_length: \($0)" } ?? ""
        let harness = try Self.harness(gateway, members: 1, issuer: #"{ url: "\#(coupons)"\#(limit) }"#)
        try harness.plan()
        #expect(try await harness.deliverUntilSettled(try harness.dispatcher()))
        let row = try #require(try harness.rows().first)
        if maxCodeLength == nil {
            #expect(row.status == "failed" && row.lastError?.contains("expected 1 to 12 ASCII letters") == true
                        && row.lastError?.contains("set max_code_length for longer") == true, "\(row)")
            #expect(gateway.requests.allSatisfy(Self.isCoupon))
        } else {
            #expect(row.status == "sent", "\(row)")
            #expect(gateway.requests.contains { !Self.isCoupon($0) && $0.body.contains(long) })
        }
    }

    /// 短信+推送组合: both messages of the occurrence carry the one issued coupon, asked for
    /// with the one key however many of its messages ask.
    @Test func theMessagesOfOneOccurrenceShareTheIssuedCoupon() async throws {
        let gateway = try LoopbackGateway { request in
            Self.isCoupon(request) ? .status(200, body: #"{"data":{"coupon_code":"\#(Self.crmCode(request))"}}"#)
                : .status(200, body: #"{"message_id":"m"}"#)
        }
        let harness = try Self.harness(gateway, members: 2, trigger: #"channels: ["sms", "push"], deliver: "all","#)
        try harness.plan()
        let dispatcher = try harness.dispatcher(secrets: ["CRM_TOKEN": "t"])
        #expect(try await harness.deliverUntilSettled(dispatcher))
        #expect(await dispatcher.totals.couponsIssued == 2, "one coupon per occurrence, however often asked")
        #expect(try harness.rows().map(\.status) == ["sent", "sent", "sent", "sent"])
        let issuance = gateway.requests.filter(Self.isCoupon)
        for code in ["CRM-M1", "CRM-M2"] {
            // Asked once or twice (both messages may be claimed before either is issued), one key.
            let asked = issuance.filter { Self.crmCode($0) == code }
            #expect((1...2).contains(asked.count) && Set(asked.map(\.idempotencyKey)).count == 1, "\(code): \(asked.count)")
            #expect(gateway.requests.filter { !Self.isCoupon($0) && $0.body.contains(code) }.count == 2,
                    "\(code) on the SMS and on the push")
        }
        #expect(try harness.store.column("SELECT coalesce(coupon_code, '-') FROM outbox ORDER BY key")
            == ["CRM-M1", "-", "CRM-M2", "-"])
    }

    /// `validate` counts SMS segments with the longest code the issuer may issue: 150
    /// characters and Herald's 12-character code fit `max_segments: 3`; with 64 they do not.
    @Test func validateCountsSegmentsWithTheLongestCodeTheIssuerMayIssue() throws {
        func problems(_ limit: String) throws -> [String] {
            try EvaluationFixture(
                config: EvaluationFixture.config(#"coupon_issuers: { crm: { adapter: "http", url: "https://crm.example.cn/c"\#(limit) } },"#),
                triggers: ["a": EvaluationFixture.trigger("a", kind: "inactivity", """
                    params: { days: 30 }, offer: { code_prefix: "AB", title: "券", valid_days: 7, issuer: "crm" }
                    """)],
                templates: ["t/sms.zh-CN.txt": String(repeating: "券", count: 150) + "{{ coupon.code }}"]).problems()
        }
        #expect(try problems("") == [])
        let long = try problems(", max_code_length: 64")
        #expect(long.count == 1 && long[0].contains("this SMS can take 4 segments in the worst case"), "\(long)")
    }

    @Test func issuersAreCheckedWhereTheyAreWritten() throws {
        func offer(_ issuer: String) -> String {
            #"params: { days: 30 }, offer: { code_prefix: "A", title: "券", valid_days: 7, issuer: \#(issuer) }"#
        }
        // What loading the catalog finds: names and shapes.
        let named = try EvaluationFixture(config: EvaluationFixture.config(#"coupon_issuers: { crm: { adapter: "http", url: "https://crm.example.cn/c" } },"#),
                                          triggers: ["a": EvaluationFixture.trigger("a", kind: "inactivity", offer(#""cmr""#)),
                                                     "c": EvaluationFixture.trigger("c", kind: "inactivity", offer("5"))])
        let problems = named.problems()
        #expect(problems.contains { $0.contains("offer.issuer: 'cmr' is not defined under coupon_issuers")
                    && $0.contains("did you mean 'crm'?") }, "\(problems)")
        #expect(problems.contains { $0.contains("issuer: expected the name of a coupon_issuers entry") }, "\(problems)")
        // What start-up would refuse: each issuer's own options (validate lists them all).
        let entries = try EvaluationFixture(config: EvaluationFixture.config("""
            coupon_issuers: {
              crm: { adapter: "http", url: "https://crm.example.cn/coupons", code_field: "data..code", weight: 2,
                     max_code_length: 65 },
              book: { adapter: "ledger" },
            },
            """), triggers: [
            "a": EvaluationFixture.trigger("a", kind: "inactivity", offer(#""crm""#)),
            "b": EvaluationFixture.trigger("b", kind: "inactivity", offer(#"{ url: "ftp://x", secret: 1 }"#)),
        ])
        let checked = ChannelFactory.check(try entries.catalog(), secrets: SecretSource(environment: [:])).problems
            .map(\.message)
        #expect(checked.contains { $0.contains("coupon_issuers.crm.code_field: expected a dotted path") }, "\(checked)")
        #expect(checked.contains { $0.contains("coupon_issuers.crm") && $0.contains("weight") }, "\(checked)")
        #expect(checked.contains { $0.contains("coupon_issuers.crm.max_code_length") }, "\(checked)")
        #expect(checked.contains { $0.contains("coupon_issuers.book.adapter: no coupon issuer 'ledger'") }, "\(checked)")
        #expect(checked.contains { $0.contains("offer.issuer.url: expected an http(s) URL") }, "\(checked)")
        #expect(checked.contains { $0.contains("offer.issuer") && $0.contains("secret") }, "\(checked)")
    }
}
