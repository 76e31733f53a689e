import Foundation
import Testing
import HeraldCore
import HeraldDelivery
@_spi(StoreSQL) import HeraldStore
@_spi(StoreSQL) import HeraldTestSupport
import HeraldWorker

/// SPEC 7 end to end: planned sends delivered through loopback fakes of Tencent Cloud and
/// Alibaba Cloud SMS that check every signature with their own code and answer in each
/// provider's format — routing, failover with the same key, circuits, what each class of
/// answer does to the row and the address, costs and receipts.
@Suite struct ProviderDeliveryTests {
    static let secrets = ["TC_ID": "AKIDfakeTencent01", "TC_KEY": "tc-secret-key-0123", "ALI_ID": "LTAIfakeAliyun01",
                          "ALI_SECRET": "ali-secret-0123456"]

    /// Each provider's documented code for each class of answer.
    enum Provider: String, CaseIterable, Sendable {
        case tencent, aliyun

        var providerLevel: String { self == .tencent ? "FailedOperation.InsufficientBalanceInSmsPackage" : "isv.AMOUNT_NOT_ENOUGH" }
        var recipientPermanent: String {
            self == .tencent ? "FailedOperation.PhoneNumberInBlacklist" : "isv.MOBILE_NUMBER_ILLEGAL"
        }
        var recipientThrottled: String {
            self == .tencent ? "LimitExceeded.PhoneNumberDailyLimit" : "isv.BUSINESS_LIMIT_CONTROL"
        }
        var messageRefused: String { self == .tencent ? "FailedOperation.ContainSensitiveWord" : "isv.SMS_CONTENT_ILLEGAL" }
        var other: Provider { self == .tencent ? .aliyun : .tencent }
    }

    static let mapping = """
        { tencent: { template_id: "1234567", params: ["{{ member.name | default: \\"会员\\" }}", "{{ inactive_days }}"] },
          aliyun: { template_code: "SMS_153055065", params: { name: "{{ member.name | default: \\"会员\\" }}", days: "{{ inactive_days }}" } } }
        """

    /// Both fakes, both providers configured (prices 0.045 and 0.05 yuan a segment), and an
    /// `sms` channel over `order`.
    final class Setup {
        let tencent: FakeSMSProvider
        let aliyun: FakeSMSProvider
        let harness: DeliveryHarness

        init(order: [Provider], tencent tencentScript: @escaping @Sendable (FakeSMSProvider.Call) -> FakeSMSProvider.Answer = { _ in .accept },
             aliyun aliyunScript: @escaping @Sendable (FakeSMSProvider.Call) -> FakeSMSProvider.Answer = { _ in .accept },
             members: Int = 3, channel: String = "concurrency: 1", timeout: String = "5s", trigger: String = "",
             extraTriggers: [String: String] = [:], tencentSecret: String = "{{ secret.TC_KEY }}") throws {
            tencent = try FakeSMSProvider(.tencent(secretID: ProviderDeliveryTests.secrets["TC_ID"]!,
                                                   secretKey: ProviderDeliveryTests.secrets["TC_KEY"]!), script: tencentScript)
            aliyun = try FakeSMSProvider(.aliyun(accessKeyID: ProviderDeliveryTests.secrets["ALI_ID"]!,
                                                 accessKeySecret: ProviderDeliveryTests.secrets["ALI_SECRET"]!),
                                         script: aliyunScript)
            let providers = """
                providers: {
                  tencent: { adapter: "tencent_sms", secret_id: "{{ secret.TC_ID }}", secret_key: "\(tencentSecret)",
                             sdk_app_id: "1400006666", sign_name: "悦享会员", endpoint: "\(tencent.endpoint)",
                             price_per_segment: 0.045, timeout: "\(timeout)", pull_receipts_every: "1m" },
                  aliyun: { adapter: "aliyun_sms", access_key_id: "{{ secret.ALI_ID }}",
                            access_key_secret: "{{ secret.ALI_SECRET }}", sign_name: "悦享会员",
                            endpoint: "\(aliyun.endpoint)", price_per_segment: 0.05, timeout: "\(timeout)",
                            pull_receipts_every: "1m" },
                },
                """
            var templates = EvaluationFixture.plainTemplates
            templates["t/sms.providers.json5"] = ProviderDeliveryTests.mapping
            let names = order.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
            harness = try DeliveryHarness(
                gateway: tencent.gateway, members: DeliveryHarness.silentMembers(members), trigger: trigger,
                channels: "sms: { providers: [\(names)], \(channel) }", extraConfig: providers, templates: templates,
                extraTriggers: extraTriggers)
        }

        func fake(_ provider: Provider) -> FakeSMSProvider { provider == .tencent ? tencent : aliyun }

        func deliver() async throws -> Bool {
            try harness.plan()
            return try await harness.deliverUntilSettled(try harness.dispatcher(secrets: ProviderDeliveryTests.secrets))
        }

        func column(_ sql: String) throws -> [String] {
            let statement = try harness.store.database.prepare(sql)
            var values: [String] = []
            while try statement.step() { values.append(statement.text(at: 0) ?? "NULL") }
            return values
        }

        deinit {
            tencent.stop()
            aliyun.stop()
        }
    }

    @Test(arguments: Provider.allCases)
    func signedCallsCarryTheKeyTheTemplateAndTheParams(_ provider: Provider) async throws {
        let setup = try Setup(order: [provider])
        #expect(try await setup.deliver(), "every row settled")
        let calls = setup.fake(provider).calls
        #expect(calls.count == 3 && calls.allSatisfy { $0.signatureValid }, "\(calls.compactMap(\.signatureProblem))")
        let keys = try setup.column("SELECT idempotency_key FROM outbox ORDER BY key")
        #expect(calls.map(\.key) == keys, "SessionContext / OutId carry the idempotency key")
        #expect(calls.allSatisfy { $0.signName == "悦享会员" })
        // 2025-12-01 → 2026-03-10: 99 days without activity; no name, so the default.
        switch provider {
        case .tencent:
            #expect(calls.map(\.phone) == ["+8613800000001", "+8613800000002", "+8613800000003"])
            #expect(calls.allSatisfy { $0.templateID == "1234567" && $0.params == ["会员", "99"] })
        case .aliyun:
            #expect(calls.map(\.phone) == ["13800000001", "13800000002", "13800000003"])
            #expect(calls.allSatisfy { $0.templateID == "SMS_153055065" && $0.params == ["days=99", "name=会员"] })
        }
        #expect(try setup.column("SELECT status || ' ' || provider || ' ' || provider_id FROM outbox ORDER BY key")
                == ["sent \(provider) fake-1", "sent \(provider) fake-2", "sent \(provider) fake-3"])
        // One segment each: 0.045 or 0.05 yuan, in thousandths of a fen.
        let cost = provider == .tencent ? "4500" : "5000"
        #expect(try setup.column("SELECT cost_millifen FROM outbox") == [cost, cost, cost])
    }

    /// A key the fake's own check refuses: the signature code is really checked.
    @Test func aWrongSecretIsRefusedAsTheProvidersSetupAndTheNextProviderTakesOver() async throws {
        let setup = try Setup(order: [.tencent, .aliyun], tencentSecret: "not-the-key")
        #expect(try await setup.deliver())
        #expect(setup.tencent.calls.count == 3 && setup.tencent.calls.allSatisfy { !$0.signatureValid })
        #expect(setup.aliyun.calls.count == 3 && setup.aliyun.calls.allSatisfy { $0.signatureValid })
        #expect(try setup.column("SELECT status || ' ' || provider FROM outbox") == Array(repeating: "sent aliyun", count: 3))
        let lines = setup.harness.logLines.all
        #expect(lines.contains {
            $0.contains("event=dispatch.channel_misconfigured channel=sms provider=tencent") && $0.contains("AuthFailure.SignatureFailure")
        })
        // The wrong key never shows: neither in the store nor in the log.
        #expect(try setup.harness.storedErrors().allSatisfy { !$0.contains("not-the-key") })
    }

    enum Fault: String, CaseIterable, Sendable {
        case code, serverError, timeout
    }

    /// Provider-level failures (its code, a 5xx, a timeout): the next provider with the same
    /// key; after 5 in a row the first provider's circuit opens and it is not called again.
    @Test(arguments: Provider.allCases, Fault.allCases)
    func providerLevelFailuresFailOverWithTheSameKeyAndOpenTheCircuit(_ first: Provider, _ fault: Fault) async throws {
        let members = fault == .timeout ? 6 : 8
        let code = first.providerLevel
        let failing: @Sendable (FakeSMSProvider.Call) -> FakeSMSProvider.Answer = { _ in
            switch fault {
            case .code: .refuse(code)
            case .serverError: .http(503, body: "upstream busy")
            case .timeout: .delayed(2.5, .accept)
            }
        }
        let setup = try first == .tencent
            ? Setup(order: [.tencent, .aliyun], tencent: failing, members: members, timeout: fault == .timeout ? "1s" : "5s")
            : Setup(order: [.aliyun, .tencent], aliyun: failing, members: members, timeout: fault == .timeout ? "1s" : "5s")
        #expect(try await setup.deliver())
        let firstCalls = setup.fake(first).calls
        let secondCalls = setup.fake(first.other).calls
        #expect(firstCalls.count == 5, "the circuit opened after 5 failures in a row: \(firstCalls.count) calls")
        #expect(secondCalls.count == members && Set(secondCalls.map(\.key)).count == members)
        #expect(Set(firstCalls.map(\.key)).isSubset(of: Set(secondCalls.map(\.key))), "failover keeps the key")
        #expect(try setup.column("SELECT status || ' ' || provider FROM outbox")
                == Array(repeating: "sent \(first.other)", count: members))
        // One attempt charged; the first provider's call is its own line, provider named.
        #expect(try setup.column("SELECT attempts FROM outbox") == Array(repeating: "1", count: members))
        let lines = try setup.column("""
            SELECT group_concat(outcome || ':' || provider, ' ') FROM (SELECT * FROM delivery_attempts ORDER BY attempt)
            GROUP BY outbox_key ORDER BY outbox_key
            """)
        #expect(lines.prefix(5).allSatisfy { $0 == "failover:\(first) sent:\(first.other)" }, "\(lines)")
        #expect(lines.dropFirst(5).allSatisfy { $0 == "sent:\(first.other)" }, "\(lines)")
    }

    /// The number can never be reached: the row fails, no other provider is asked, the
    /// address is suppressed — a later plan skips it, and a send already waiting is
    /// cancelled at its re-check.
    @Test(arguments: Provider.allCases)
    func aRecipientPermanentAnswerFailsTheRowAndSuppressesTheAddress(_ first: Provider) async throws {
        let code = first.recipientPermanent
        let script: @Sendable (FakeSMSProvider.Call) -> FakeSMSProvider.Answer = {
            $0.phone.hasSuffix("13800000001") ? .refuse(code) : .accept
        }
        let evening = ["later": EvaluationFixture.trigger("later", kind: "inactivity",
                                                          "params: { days: 30 }, window: { hours: [\"18:00-20:00\"] }")]
        let setup = try first == .tencent
            ? Setup(order: [.tencent, .aliyun], tencent: script, extraTriggers: evening)
            : Setup(order: [.aliyun, .tencent], aliyun: script, extraTriggers: evening)
        let harness = setup.harness
        try harness.plan()
        let dispatcher = try harness.dispatcher(secrets: Self.secrets)
        #expect(await harness.drain(dispatcher), "the dispatcher drained within 60 s")
        #expect(try setup.column("""
            SELECT m.id || ' ' || o.trigger_id || ' ' || o.status FROM outbox o JOIN members m ON m.key = o.member_key
            ORDER BY m.id, o.trigger_id
            """) == ["M1 later pending", "M1 silent failed", "M2 later pending", "M2 silent sent", "M3 later pending",
                     "M3 silent sent"])
        #expect(setup.fake(first.other).calls.isEmpty, "no failover for the recipient")
        #expect(try setup.column("SELECT address || ' ' || kind || ' ' || provider FROM address_suppressions")
                == ["+8613800000001 sms \(first)"])
        #expect(harness.logLines.all.contains { $0.contains("event=dispatch.address_suppressed") })
        // 18:00: the evening send to the suppressed number is cancelled before any call.
        let callsBefore = setup.fake(first).calls.count
        harness.clock.set(setup.harness.fixture.at("2026-03-10 18:00:00"))
        #expect(await harness.drain(dispatcher), "the dispatcher drained within 60 s")
        #expect(setup.fake(first).calls.count == callsBefore + 2)
        #expect(try setup.column("""
            SELECT o.status || ' ' || o.last_error FROM outbox o JOIN members m ON m.key = o.member_key
            WHERE m.id = 'M1' AND o.trigger_id = 'later'
            """) == ["cancelled the address is on the suppression list (a provider reported it unreachable)"])
        // A trigger added later never plans for the address.
        try harness.fixture.folder.write("Triggers/new.json5", EvaluationFixture.trigger("new", kind: "inactivity",
                                                                                          "params: { days: 30 }"))
        let evaluation = try harness.fixture.evaluate(harness.store, at: "2026-03-10 18:00:00")
        #expect(evaluation.suppressedTriples.contains("new M1 address_suppressed"))
        #expect(evaluation.plannedPairs.contains("new M2") && !evaluation.plannedPairs.contains("new M1"))
    }

    /// Per-number limits: deferred to the window's next opening, no attempt spent, no other
    /// provider; at that opening the send goes out.
    @Test(arguments: Provider.allCases)
    func aRecipientThrottledAnswerWaitsForTheNextWindowOpening(_ first: Provider) async throws {
        let code = first.recipientThrottled
        let script: @Sendable (FakeSMSProvider.Call) -> FakeSMSProvider.Answer = {
            $0.phone.hasSuffix("13800000001") && $0.occurrence == 1 ? .refuse(code) : .accept
        }
        let window = "window: { hours: [\"10:00-12:30\", \"18:00-20:00\"] }"
        let setup = try first == .tencent
            ? Setup(order: [.tencent, .aliyun], tencent: script, trigger: window)
            : Setup(order: [.aliyun, .tencent], aliyun: script, trigger: window)
        let harness = setup.harness
        try harness.plan()
        let dispatcher = try harness.dispatcher(secrets: Self.secrets)
        #expect(await harness.drain(dispatcher), "the dispatcher drained within 60 s")
        let evening = harness.fixture.at("2026-03-10 18:00:00")
        #expect(try setup.column("""
            SELECT o.status || ' ' || o.attempts || ' ' || o.deferrals || ' ' || o.next_attempt_at FROM outbox o
            JOIN members m ON m.key = o.member_key WHERE m.id = 'M1'
            """) == ["pending 0 1 \(evening.epochSeconds)"])
        #expect(setup.fake(first.other).calls.isEmpty)
        harness.clock.set(evening)
        #expect(await harness.drain(dispatcher), "the dispatcher drained within 60 s")
        #expect(try setup.column("SELECT status FROM outbox") == ["sent", "sent", "sent"])
        #expect(setup.fake(first).acceptedCounts.values.allSatisfy { $0 == 1 })
    }

    /// This message is refused (its content): no retry, no other provider, no suppression.
    @Test(arguments: Provider.allCases)
    func aRefusedMessageFailsWithoutFailover(_ first: Provider) async throws {
        let code = first.messageRefused
        let setup = try first == .tencent
            ? Setup(order: [.tencent, .aliyun], tencent: { _ in .refuse(code) })
            : Setup(order: [.aliyun, .tencent], aliyun: { _ in .refuse(code) })
        #expect(try await setup.deliver())
        #expect(try setup.column("SELECT status FROM outbox") == ["failed", "failed", "failed"])
        #expect(try setup.column("SELECT last_error FROM outbox").allSatisfy { $0.hasPrefix(code) })
        #expect(setup.fake(first.other).calls.isEmpty && setup.fake(first).calls.count == 3)
        #expect(try setup.column("SELECT count(*) FROM address_suppressions") == ["0"])
    }

    /// Receipts pulled from each provider land as delivered / undelivered on the rows.
    @Test(arguments: Provider.allCases)
    func receiptsArePulledAndApplied(_ provider: Provider) async throws {
        let script: @Sendable (FakeSMSProvider.Call) -> FakeSMSProvider.Answer = {
            $0.phone.hasSuffix("13800000002") ? .acceptUndelivered : .accept
        }
        let setup = try provider == .tencent ? Setup(order: [.tencent], tencent: script)
                                             : Setup(order: [.aliyun], aliyun: script)
        #expect(try await setup.deliver())
        let harness = setup.harness
        let catalog = try harness.catalog()
        let routers = try ChannelFactory.makeRouters(
            catalog.config, context: ChannelContext(secrets: SecretSource(environment: Self.secrets), clock: harness.clock,
                                                    transport: harness.transport))
        let puller = try ReceiptPuller(store: harness.store.location, routers: routers,
                                       defaultTimeZone: catalog.config.timeZone, clock: harness.clock,
                                       log: EventLog { [lines = harness.logLines] in lines.append($0) })
        #expect(await puller.pullDue() == 3)
        #expect(try setup.column("""
            SELECT m.id || ' ' || o.status || ' ' || o.receipt FROM outbox o JOIN members m ON m.key = o.member_key ORDER BY m.id
            """) == ["M1 delivered delivered", "M2 failed undelivered", "M3 delivered delivered"])
        // Not due again within its interval; pulled again later, nothing new is stored twice.
        #expect(await puller.pullDue() == 0)
        harness.clock.set(harness.clock.now() + 61)
        #expect(await puller.pullDue() == 0)
        #expect(setup.fake(provider).calls.allSatisfy { $0.signatureValid })
    }
}
