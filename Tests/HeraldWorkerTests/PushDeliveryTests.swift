import Foundation
import Testing
import HeraldCore
import HeraldCrypto
import HeraldDelivery
@_spi(StoreSQL) import HeraldStore
@_spi(StoreSQL) import HeraldTestSupport
import HeraldWorker

/// App push through APNs and FCM fakes on loopback that check every call as Apple and Google
/// do — the JWT's signature with the public key, its claims, the headers — and answer as
/// they document: accepted, a token gone (cleared from the member), a bad token (suppressed).
@Suite(.timeLimit(.minutes(1))) struct PushDeliveryTests {
    /// The JWT's header and claims as JSON, when its signature is `publicPEM`'s.
    static func verified(_ jwt: String, publicPEM: String, algorithm: SigningKey.Algorithm) -> (header: JSONValue, claims: JSONValue)? {
        let parts = jwt.split(separator: ".").map(String.init)
        guard parts.count == 3, let signature = base64URLDecoded(parts[2]),
              SigningKey.verify(signature, of: Array("\(parts[0]).\(parts[1])".utf8), publicKeyPEM: publicPEM, algorithm: algorithm),
              let header = base64URLDecoded(parts[0]).flatMap({ try? JSONParser.parse(String(decoding: $0, as: UTF8.self), dialect: .json) }),
              let claims = base64URLDecoded(parts[1]).flatMap({ try? JSONParser.parse(String(decoding: $0, as: UTF8.self), dialect: .json) })
        else { return nil }
        return (header, claims)
    }

    static func base64URLDecoded(_ text: String) -> [UInt8]? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64).map { Array($0) }
    }

    private func deliver(config: String, members: String, secrets: [String: String],
                         channels: String = #"["push"]"#) async throws -> (SQLStore, EvaluationFixture) {
        let fixture = try EvaluationFixture(config: config, triggers: [
            "winback": EvaluationFixture.trigger("winback", kind: "inactivity", "channels: \(channels), params: { days: 30 }"),
        ], templates: ["t/push.zh-CN.txt": "title: 好久不见\n\n{{ member.name | default: \"会员\" }}，新品上架",
                       "t/sms.zh-CN.txt": "{{ member.name | default: \"会员\" }}，新品上架"])
        let store = try fixture.store(members: members)
        try await fixture.planAndDeliver(store, secrets: secrets)
        return (store, fixture)
    }

    static let members = "id,name,push_token,last_active_at,consent_push\nU1,李雷,aa00000000000001,2026-01-01,yes\n"
        + "U2,韩梅梅,bb00000000000002,2026-01-01,yes\nU3,王芳,cc00000000000003,2026-01-01,yes"

    @Test func apnsSendsWithAVerifiedProviderTokenAndAGoneTokenIsCleared() async throws {
        let folder = try TemporaryDirectory()
        let keys = try TestKeys.make("EC", in: folder)
        let apple = try LoopbackGateway { request in
            guard let jwt = request.headers["authorization"]?.replacingOccurrences(of: "bearer ", with: ""),
                  let token = PushDeliveryTests.verified(jwt, publicPEM: keys.publicPEM, algorithm: .es256),
                  token.header["kid"]?.stringValue == "ABC123DEFG", token.claims["iss"]?.stringValue == "DEF123GHIJ",
                  request.headers["apns-topic"] == "cn.example.app", request.headers["apns-push-type"] == "alert",
                  request.headers["apns-collapse-id"]?.isEmpty == false else {
                return .status(403, body: #"{"reason":"InvalidProviderToken"}"#)
            }
            if request.target.hasSuffix("/bb00000000000002") { return .status(410, body: #"{"reason":"Unregistered","timestamp":1773115200000}"#) }
            if request.target.hasSuffix("/cc00000000000003") { return .status(400, body: #"{"reason":"BadDeviceToken"}"#) }
            return .status(200, headers: ["apns-id": "EC1BF194-B3B2-424A-89A9-5A918A6E4B8E"], body: "")
        }
        let (store, _) = try await deliver(config: """
            { store: { sqlite: "h.db" }, timezone: "Asia/Shanghai",
              providers: { apns: { adapter: "apns", team_id: "DEF123GHIJ", key_id: "ABC123DEFG", key: "{{ secret.APNS_P8 }}",
                                   topic: "cn.example.app", endpoint: "http://127.0.0.1:\(apple.port)" } },
              channels: { push: { providers: ["apns"] } } }
            """, members: Self.members, secrets: ["APNS_P8": keys.privatePEM])
        #expect(try store.column("SELECT m.id || ' ' || o.status || ' ' || coalesce(o.provider_id, '-') FROM outbox o JOIN members m ON m.key = o.member_key ORDER BY m.id")
            == ["U1 sent EC1BF194-B3B2-424A-89A9-5A918A6E4B8E", "U2 failed -", "U3 failed -"])
        let sent = try #require(apple.requests.first { $0.target.hasSuffix("/aa00000000000001") })
        #expect(sent.target == "/3/device/aa00000000000001" && sent.body.contains("李雷，新品上架") && sent.body.contains("好久不见"))
        // 410: U2's token is gone from the member; 400 BadDeviceToken: U3's is suppressed.
        #expect(try store.column("SELECT id || ' ' || coalesce(push_token, '-') FROM members ORDER BY id")
            == ["U1 aa00000000000001", "U2 -", "U3 cc00000000000003"])
        #expect(try store.column("SELECT address FROM address_suppressions") == ["cc00000000000003"])
    }

    /// With an SMS fallback: the answer about the push token acts on the push token (cleared,
    /// or suppressed), never on the phone the row then moves to, and the SMS goes out.
    @Test func aGoneOrBadTokenActsOnTheTokenWhenTheRowFallsBackToSMS() async throws {
        let folder = try TemporaryDirectory()
        let keys = try TestKeys.make("EC", in: folder)
        let apple = try LoopbackGateway { request in
            if request.target.hasSuffix("/bb00000000000002") { return .status(410, body: #"{"reason":"Unregistered"}"#) }
            if request.target.hasSuffix("/cc00000000000003") { return .status(400, body: #"{"reason":"BadDeviceToken"}"#) }
            return .status(200, headers: ["apns-id": "A"], body: "")
        }
        let (store, _) = try await deliver(config: """
            { store: { sqlite: "h.db" }, timezone: "Asia/Shanghai",
              providers: { apns: { adapter: "apns", team_id: "DEF123GHIJ", key_id: "ABC123DEFG", key: "{{ secret.APNS_P8 }}",
                                   topic: "cn.example.app", endpoint: "http://127.0.0.1:\(apple.port)" } },
              channels: { push: { providers: ["apns"] }, sms: { adapter: "log", path: "sms.jsonl" } } }
            """, members: "id,name,phone,push_token,last_active_at,consent_push,consent_sms\n"
                + "U2,韩梅梅,13800138002,bb00000000000002,2026-01-01,yes,yes\nU3,王芳,13800138003,cc00000000000003,2026-01-01,yes,yes",
            secrets: ["APNS_P8": keys.privatePEM], channels: #"["push", "sms"]"#)
        #expect(try store.column("SELECT m.id || ' ' || o.channel || ' ' || o.status FROM outbox o JOIN members m ON m.key = o.member_key ORDER BY m.id")
            == ["U2 sms sent", "U3 sms sent"])
        #expect(try store.column("SELECT id || ' ' || coalesce(push_token, '-') || ' ' || phone FROM members ORDER BY id")
            == ["U2 - +8613800138002", "U3 cc00000000000003 +8613800138003"])
        #expect(try store.column("SELECT kind || ' ' || address FROM address_suppressions") == ["push cc00000000000003"])
    }

    @Test func fcmExchangesAVerifiedAssertionOnceAndClassifiesItsErrors() async throws {
        let folder = try TemporaryDirectory()
        let keys = try TestKeys.make("RSA", in: folder)
        let tokenRequests = TestCounter()
        let google = try LoopbackGateway { request in
            if request.target == "/token" {
                let form = request.body.split(separator: "&").map(String.init)
                guard form.contains("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer"),
                      let assertion = form.first(where: { $0.hasPrefix("assertion=") })?.dropFirst(10),
                      let token = PushDeliveryTests.verified(String(assertion), publicPEM: keys.publicPEM, algorithm: .rs256),
                      token.claims["iss"]?.stringValue == "herald@p1.iam.gserviceaccount.com",
                      token.claims["scope"]?.stringValue == "https://www.googleapis.com/auth/firebase.messaging" else {
                    return .status(400, body: #"{"error":"invalid_grant"}"#)
                }
                tokenRequests.add()
                return .status(200, body: #"{"access_token":"ya29.fake","expires_in":3599,"token_type":"Bearer"}"#)
            }
            guard request.target == "/v1/projects/p1/messages:send", request.headers["authorization"] == "Bearer ya29.fake" else {
                return .status(401, body: #"{"error":{"code":401,"status":"UNAUTHENTICATED"}}"#)
            }
            if request.body.contains("bb00000000000002") {
                return .status(404, body: #"{"error":{"code":404,"status":"NOT_FOUND","details":[{"@type":"type.googleapis.com/google.firebase.fcm.v1.FcmError","errorCode":"UNREGISTERED"}]}}"#)
            }
            if request.body.contains("cc00000000000003") {
                return .status(403, body: #"{"error":{"code":403,"status":"PERMISSION_DENIED","details":[{"@type":"type.googleapis.com/google.firebase.fcm.v1.FcmError","errorCode":"SENDER_ID_MISMATCH"}]}}"#)
            }
            return .status(200, body: #"{"name":"projects/p1/messages/0:1773115260000000%31bd1c9"}"#)
        }
        let account = JSONOutput.object([("type", "service_account"), ("project_id", "p1"),
                                         ("client_email", "herald@p1.iam.gserviceaccount.com"),
                                         ("private_key", .string(keys.privatePEM)),
                                         ("token_uri", "https://oauth2.googleapis.com/token")]).rendered()
        let (store, _) = try await deliver(config: """
            { store: { sqlite: "h.db" }, timezone: "Asia/Shanghai",
              providers: { fcm: { adapter: "fcm", service_account: "{{ secret.FCM_ACCOUNT }}",
                                  endpoint: "http://127.0.0.1:\(google.port)", token_endpoint: "http://127.0.0.1:\(google.port)/token" } },
              channels: { push: { providers: ["fcm"] } } }
            """, members: Self.members, secrets: ["FCM_ACCOUNT": account])
        #expect(try store.column("SELECT m.id || ' ' || o.status FROM outbox o JOIN members m ON m.key = o.member_key ORDER BY m.id")
            == ["U1 sent", "U2 failed", "U3 failed"])
        #expect(tokenRequests.value == 1, "one access token for three sends")
        #expect(try store.column("SELECT id || ' ' || coalesce(push_token, '-') FROM members ORDER BY id")
            == ["U1 aa00000000000001", "U2 -", "U3 cc00000000000003"])
        #expect(try store.column("SELECT address FROM address_suppressions") == ["cc00000000000003"])
    }

    @Test func keysAreCheckedByValidate() throws {
        let folder = try TemporaryDirectory()
        let rsa = try TestKeys.make("RSA", in: folder)
        let config = try ConfigLoader.parse("""
            { store: { sqlite: 'h.db' }, channels: {
              push: { adapter: "apns", team_id: "short", key_id: "ABC123DEFG", key: "{{ secret.P8 }}", topic: "cn.example.app" },
              push_b: { adapter: "fcm", service_account: "{{ secret.ACCOUNT }}" },
              push_c: { providers: ["a", "f"] } },
              providers: { a: { adapter: "apns", team_id: "DEF123GHIJ", key_id: "ABC123DEFG", key: "{{ secret.P8 }}", topic: "x" },
                           f: { adapter: "fcm", service_account: "{{ secret.ACCOUNT }}" } } }
            """, path: folder.file("h.json5"))
        let (problems, _) = ChannelFactory.check(config, secrets: SecretSource(environment: ["P8": rsa.privatePEM, "ACCOUNT": "{}"]))
        let messages = problems.map(\.message)
        #expect(messages.contains { $0.hasPrefix("channels.push.team_id: expected the 10 capital letters") }, "\(messages)")
        #expect(messages.contains { $0.hasPrefix("channels.push.key: expected the text of the .p8 key file") }, "\(messages)")
        #expect(messages.contains { $0.hasPrefix("channels.push_b.service_account: expected the service-account key file's JSON") })
        #expect(messages.contains { $0.hasPrefix("channels.push_c: apns and fcm reach different addresses") }, "\(messages)")
    }
}

/// A count several threads add to.
final class TestCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
