import Foundation
import HeraldCore
import HeraldDelivery

/// What an adapter itself costs per send, without the network: each adapter's router sends
/// the same message through a transport that answers at once with the provider's canned
/// success, in this process. The difference between `tencent_sms` and `http` is what
/// signing the request and reading Tencent's answer add.
struct AdapterCostBenchmark {
    /// Answers every request at once with `answer`.
    private struct CannedTransport: HTTPTransport {
        let answer: [UInt8]

        func perform(_ request: HTTPRequest) async -> Result<HTTPResponse, HTTPFailure> {
            .success(HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: answer))
        }
    }

    static let tencentAnswer = #"{"Response":{"SendStatusSet":[{"SerialNo":"2640:1","PhoneNumber":"+8613900012345","Fee":1,"#
        + #""SessionContext":"hk-3b1518d138f37ab30ad450debe25c619","Code":"Ok","Message":"send success","IsoCode":"CN"}],"#
        + #""RequestId":"r"}}"#

    /// Microseconds per send for `http` and `tencent_sms`, medians over `runs` of `sends` each.
    static func measure(sends: Int, runs: Int) async throws -> (http: Double, tencent: Double) {
        let config = try ConfigLoader.parse("""
            { store: { sqlite: "/tmp/herald-bench-adapters.db" },
              providers: { tencent: { adapter: "tencent_sms", secret_id: "AKIDbench", secret_key: "bench-key",
                                      sdk_app_id: "1400006666", sign_name: "悦享会员", endpoint: "http://127.0.0.1:9" } },
              channels: { sms: { providers: ["tencent"] }, sms_http: { adapter: "http", url: "http://127.0.0.1:9/send" } } }
            """, path: "/tmp/herald-bench-adapters.json5")
        func router(_ channel: String, answer: String) throws -> ProviderRouter {
            let context = ChannelContext(secrets: SecretSource(environment: [:]),
                                         transport: CannedTransport(answer: Array(answer.utf8)))
            return try ChannelFactory.makeRouters(config, context: context)[channel]!
        }
        let tencent = try router("sms", answer: tencentAnswer)
        let http = try router("sms_http", answer: #"{"message_id":"m"}"#)
        let message = ChannelMessage(
            idempotencyKey: "hk-3b1518d138f37ab30ad450debe25c619", channel: "sms", channelKind: .sms, category: .service,
            to: "+8613900012345", title: nil, text: "【悦享会员】B12345，您的积分即将到期，点击查看详情。", segments: 1,
            providerContent: #"{"tencent":{"template_id":"2001006","params":["B12345"]}}"#)
        func microseconds(_ router: ProviderRouter) async throws -> Double {
            var samples: [Double] = []
            for _ in 0..<runs {
                let start = ContinuousClock.now
                for _ in 0..<sends {
                    guard case .accepted = await router.send(message).result else {
                        throw BenchError("\(router.channel): the canned answer was not accepted")
                    }
                }
                samples.append((ContinuousClock.now - start).inSeconds / Double(sends) * 1_000_000)
            }
            return median(samples)
        }
        return (try await microseconds(http), try await microseconds(tencent))
    }
}
