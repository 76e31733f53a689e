import Foundation
import Synchronization
import Testing
import HeraldCore
import HeraldDelivery
@_spi(StoreSQL) import HeraldStore
@_spi(StoreSQL) import HeraldTestSupport
import HeraldWorker

/// WeChat subscription messages end to end through a loopback fake of WeChat's API: the
/// access token fetched once and shared through the store, renewed when WeChat calls it
/// invalid, each errcode's effect on the row and the member, and the mapping's field rules.
@Suite(.timeLimit(.minutes(1))) struct WeChatDeliveryTests {
    static let appID = "wx1234567890abcdef"

    /// A fake of api.weixin.qq.com: tokens `T1`, `T2`, … from `/cgi-bin/token` (only for the
    /// right app id and secret); sends accepted with the newest token, 40001 with an older
    /// one, 43101 for openids starting `oRefused`, 40003 for `oInvalid`.
    final class FakeWeChat: Sendable {
        let gateway: LoopbackGateway
        private let issued: Counter

        final class Counter: Sendable {
            let value = Mutex(0)
            func next() -> Int { value.withLock { $0 += 1; return $0 } }
            var current: Int { value.withLock { $0 } }
        }

        init() throws {
            let issued = Counter()
            self.issued = issued
            gateway = try LoopbackGateway { request in
                if request.target.hasPrefix("/cgi-bin/token?") {
                    guard request.method == "GET", request.target.contains("appid=\(WeChatDeliveryTests.appID)"),
                          request.target.contains("secret=s3cret%2Bkey") else {
                        return .status(200, body: #"{"errcode":40125,"errmsg":"invalid appsecret"}"#)
                    }
                    let number = issued.next()
                    return .status(200, body: #"{"access_token":"T\#(number)","expires_in":7200}"#)
                }
                guard request.target.hasPrefix("/cgi-bin/message/subscribe/send?access_token=") else {
                    return .status(404, body: "{}")
                }
                let token = String(request.target.split(separator: "=").last ?? "")
                guard token == "T\(issued.current)" else {
                    return .status(200, body: #"{"errcode":40001,"errmsg":"invalid credential, access_token is invalid"}"#)
                }
                let body = compact(request.body)
                if body.contains(#""touser":"oRefused"#) {
                    return .status(200, body: #"{"errcode":43101,"errmsg":"user refuse to accept the msg"}"#)
                }
                if body.contains(#""touser":"oInvalid"#) {
                    return .status(200, body: #"{"errcode":40003,"errmsg":"invalid openid"}"#)
                }
                return .status(200, body: #"{"errcode":0,"errmsg":"ok","msgid":2846500128}"#)
            }
        }

        var tokensIssued: Int { issued.current }
        var sends: [LoopbackGateway.Request] { gateway.requests.filter { $0.target.contains("/subscribe/send") } }
    }

    /// JSON without the spaces after `:` and `,` (Herald writes them).
    static func compact(_ json: String) -> String {
        json.replacingOccurrences(of: "\": ", with: "\":").replacingOccurrences(of: ", \"", with: ",\"")
    }

    static let mapping = """
        { wx: { template_id: "tpl-Hc2e1", page: "pages/coupon/index?t={{ link.token }}",
                data: { thing1: "{{ member.name | default: \\"会员\\" }}", number2: "{{ inactive_days }}" } } }
        """

    private func fixture(_ wechat: FakeWeChat, mapping: String = WeChatDeliveryTests.mapping) throws -> EvaluationFixture {
        try EvaluationFixture(config: """
            { store: { sqlite: "h.db" }, timezone: "Asia/Shanghai",
              providers: { wx: { adapter: "wechat_mp", app_id: "\(Self.appID)", app_secret: "{{ secret.WX_SECRET }}",
                                 endpoint: "http://127.0.0.1:\(wechat.gateway.port)" } },
              channels: { wechat: { providers: ["wx"] } } }
            """, triggers: [
                "winback": EvaluationFixture.trigger("winback", kind: "inactivity", #"channels: ["wechat"], params: { days: 30 }"#),
            ], templates: ["t/wechat.zh-CN.txt": "{{ member.name | default: \"会员\" }}，好久不见", "t/wechat.providers.json5": mapping])
    }

    @Test func subscriptionMessagesAreSentWithOneSharedTokenAndEachRefusalHasItsEffect() async throws {
        let wechat = try FakeWeChat()
        let fixture = try fixture(wechat)
        let store = try fixture.store(members: "id,name,wechat_openid,last_active_at,consent_wechat\n"
            + "U1,李雷,oUpF8uMuAJO_M2pxb1Q9zNjWeS6o,2026-01-01,yes\nU2,韩梅梅,oRefused_0000000000000000001,2026-01-01,yes\n"
            + "U3,王芳,oInvalid_0000000000000000001,2026-01-01,yes")
        try await fixture.planAndDeliver(store, secrets: ["WX_SECRET": "s3cret+key"])
        #expect(try store.column("SELECT m.id || ' ' || o.status FROM outbox o JOIN members m ON m.key = o.member_key ORDER BY m.id")
            == ["U1 sent", "U2 failed", "U3 failed"])
        #expect(wechat.tokensIssued == 1, "one token for three sends")
        #expect(try store.column("SELECT provider || ' ' || token FROM provider_tokens") == ["wechat:\(Self.appID) T1"])
        let sent = Self.compact(try #require(wechat.sends.first { $0.body.contains("oUpF8uMuAJO_M2pxb1Q9zNjWeS6o") }).body)
        let token = try #require(try store.column("SELECT link_token FROM outbox o JOIN members m ON m.key = o.member_key WHERE m.id = 'U1'").first)
        #expect(sent.contains(#""template_id":"tpl-Hc2e1""#) && sent.contains(#""page":"pages/coupon/index?t=\#(token)""#))
        #expect(sent.contains(#""data":{"thing1":{"value":"李雷"},"number2":{"value":"68"}}"#), "\(sent)")
        #expect(try store.column("SELECT provider_id FROM outbox o JOIN members m ON m.key = o.member_key WHERE m.id = 'U1'")
            == ["2846500128"])
        // 43101: U2's WeChat consent is now no, with an opt_out event saying why.
        #expect(try store.column("SELECT id || ' ' || coalesce(consent_wechat, '-') FROM members ORDER BY id")
            == ["U1 yes", "U2 no", "U3 yes"])
        #expect(try store.column("SELECT e.type FROM events e JOIN members m ON m.key = e.member_key WHERE m.id = 'U2'")
            == ["opt_out"])
        // 40003: U3's openid is on the suppression list.
        #expect(try store.column("SELECT address FROM address_suppressions") == ["oInvalid_0000000000000000001"])
    }

    /// A token another worker stored is used as it is; when WeChat calls it invalid, a new
    /// one is fetched once, the send made again, and the new one stored for the others.
    @Test func aStoredTokenIsSharedAndRenewedOnceWhenWeChatRefusesIt() async throws {
        let wechat = try FakeWeChat()
        let fixture = try fixture(wechat)
        let store = try fixture.store(members: "id,wechat_openid,last_active_at,consent_wechat\nU1,oUpF8uMuAJO_M2pxb1Q9zNjWeS6o,2026-01-01,yes")
        try store.saveSharedToken(SharedToken(token: "T0-from-another-worker", expiresAt: fixture.at("2026-03-10 13:30:00")),
                                  for: "wechat:\(Self.appID)", at: fixture.at("2026-03-10 11:30:00"))
        try await fixture.planAndDeliver(store, secrets: ["WX_SECRET": "s3cret+key"])
        #expect(try store.column("SELECT status FROM outbox") == ["sent"])
        #expect(wechat.sends.map { String($0.target.split(separator: "=").last ?? "") } == ["T0-from-another-worker", "T1"])
        #expect(wechat.tokensIssued == 1)
        #expect(try store.column("SELECT token FROM provider_tokens") == ["T1"])
    }

    @Test func aWrongSecretIsTheProvidersSetup() async throws {
        let wechat = try FakeWeChat()
        let fixture = try fixture(wechat)
        let catalog = try fixture.catalog()
        let routers = try ChannelFactory.makeRouters(catalog.config, context: ChannelContext(
            secrets: SecretSource(environment: ["WX_SECRET": "wrong"]), clock: ManualWallClock(fixture.at("2026-03-10 12:01:00"))))
        let message = ChannelMessage(idempotencyKey: "k", channel: "wechat", channelKind: .wechat, to: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
                                     title: nil, text: "x", providerContent: #"{"wx":{"template_id":"t","data":{"thing1":"x"}}}"#)
        let result = try await #require(routers["wechat"]).send(message).result
        #expect(result.name == "misconfigured" && result.error?.contains("40125") == true, "\(result)")
        #expect(wechat.sends.isEmpty)
    }

    @Test func mappingFieldsAreCheckedByWeChatsTypes() throws {
        let wechat = try FakeWeChat()
        let mapping = """
            { wx: { template_id: "tpl-1", url: "x",
                    data: { thing1: "{{ member.name | default: \\"会员\\" }}会员专享的超值礼包已经到账啦", foo2: "x", phrase3: "{{ member.tier | default: \\"会员\\" }}" } } }
            """
        let fixture = try fixture(wechat, mapping: mapping)
        #expect(fixture.problems().isEmpty, "\(fixture.problems())")
        let checked = ChannelFactory.check(try fixture.catalog(), secrets: SecretSource(environment: ["WX_SECRET": "s"]))
        let messages = checked.problems.map(\.message)
        #expect(messages.contains("wx: unknown key 'url' (expected template_id, data, page)"), "\(messages)")
        #expect(messages.contains { $0.hasPrefix("wx: data.foo2: expected a field name as the template shows it") })
        #expect(messages.contains { $0.hasPrefix("wx: data.thing1 can be 24 characters for trigger 'winback' in the worst case; wx allows 20") },
                "\(messages)")
        #expect(messages.contains { $0.hasPrefix("wx: data.phrase3 can be 6 characters") }, "\(messages)")
    }
}
