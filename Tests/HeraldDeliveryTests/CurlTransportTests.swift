import Foundation
import Testing
import HeraldDelivery
@_spi(StoreSQL) import HeraldTestSupport

/// The libcurl transport against real servers on loopback: a plain HTTP/1.1 gateway
/// scripted per request, and nghttpd for TLS and HTTP/2.
@Suite(.timeLimit(.minutes(2))) struct CurlTransportTests {
    /// Each test its own connection pool (other tests' gateways come and go on reused ports).
    private let pool = OwnPool()
    private var transport: CurlTransport { pool.transport }

    private func post(_ url: String, timeout: Duration = .seconds(5), headers: [(name: String, value: String)] = [],
                      caFile: String? = nil) async -> Result<HTTPResponse, HTTPFailure> {
        await transport.perform(HTTPRequest(url: url, headers: headers + [("Idempotency-Key", "k1")],
                                            body: Array(#"{"to":"+8613800000001"}"#.utf8), timeout: timeout, caFile: caFile))
    }

    @Test func aPostCarriesItsHeadersAndBodyAndComesBackWithStatusHeadersAndBody() async throws {
        let gateway = try LoopbackGateway { _ in .status(202, headers: ["X-Trace": "abc"], body: #"{"message_id":"m-1"}"#) }
        let response = try await post(gateway.url, headers: [("Authorization", "Bearer t0ken")]).get()
        #expect(response.status == 202 && response.header("x-trace") == "abc" && response.httpVersion == "1.1")
        #expect(String(decoding: response.body, as: UTF8.self) == #"{"message_id":"m-1"}"#)
        let request = try #require(gateway.requests.first)
        #expect(request.idempotencyKey == "k1" && request.headers["authorization"] == "Bearer t0ken")
        #expect(request.body == #"{"to":"+8613800000001"}"# && request.headers["expect"] == nil)
    }

    @Test func redirectsAreNeverFollowed() async throws {
        let elsewhere = try LoopbackGateway()
        let gateway = try LoopbackGateway { request in
            .status(Int(request.headers["x-code"] ?? "") ?? 500, headers: ["Location": elsewhere.url])
        }
        for code in [301, 302, 307, 308] {
            let response = try await post(gateway.url, headers: [("Authorization", "Bearer secret-token"), ("X-Code", "\(code)")]).get()
            #expect(response.status == code)
        }
        #expect(elsewhere.requests.isEmpty, "a redirect took the request (and its Authorization) to another server")
    }

    @Test func aBodyBeyondTheCapIsCutAndFlagged() async throws {
        let big = String(repeating: "x", count: 200_000)
        let gateway = try LoopbackGateway { _ in .status(500, body: big) }
        let response = try await post(gateway.url).get()
        #expect(response.status == 500 && response.isBodyTruncated)
        #expect(response.body.count == CurlTransport.maximumResponseBytes)
    }

    /// The gateway answers after 60 s: a call back well before then timed out rather than
    /// waited (30 s leaves room for a loaded machine, whose test threads may be busy for seconds).
    @Test func aSlowGatewayTimesOut() async throws {
        let gateway = try LoopbackGateway { _ in .status(200, delay: 60) }
        let started = ContinuousClock.now
        let result = await post(gateway.url, timeout: .milliseconds(300))
        #expect(result.failure == .timedOut)
        #expect(ContinuousClock.now - started < .seconds(30), "the call waited for the gateway instead of timing out")
    }

    @Test(arguments: [LoopbackGateway.Reply.resetBeforeResponse, .resetMidResponse, .garbage, .closeMidResponse])
    func brokenRepliesAreConnectionFailures(reply: LoopbackGateway.Reply) async throws {
        let gateway = try LoopbackGateway { _ in reply }
        let result = await post(gateway.url)
        guard case .failure(.connection(let detail)) = result else {
            Issue.record("expected a connection failure, got \(result)")
            return
        }
        #expect(!detail.isEmpty)
    }

    @Test func aClosedPortIsAConnectionFailure() async throws {
        let gateway = try LoopbackGateway()
        let url = gateway.url
        gateway.stop()
        let hold = try LoopbackPortHold(port: gateway.port)   // no other test's server may take it meanwhile
        defer { hold.release() }
        guard case .failure(.connection) = await post(url) else {
            Issue.record("expected a connection failure")
            return
        }
    }

    @Test func onlyHTTPAndHTTPSAreSpoken() async throws {
        guard case .failure(.invalidRequest) = await post("ftp://127.0.0.1:1/x") else {
            Issue.record("ftp:// must be refused as an invalid request")
            return
        }
    }

    /// The gateway answers only after 60 s: a call that comes back cancelled well before then
    /// was abandoned, not waited out. The bounds leave room for a loaded machine (a CI run
    /// once took over 10 s to get the request to the gateway while a build ran beside it).
    @Test func cancellingTheCallerAbandonsTheExchangeAtOnce() async throws {
        let gateway = try LoopbackGateway { _ in .status(200, delay: 60) }
        let call = Task { [self] in await post(gateway.url, timeout: .seconds(90)) }
        #expect(await Waiting.until(within: .seconds(30)) { gateway.requests.count == 1 }, "the request reached the gateway")
        let cancelled = ContinuousClock.now
        call.cancel()
        #expect(await call.value.failure == .cancelled)
        #expect(ContinuousClock.now - cancelled < .seconds(20), "the cancelled call waited for the gateway's answer")
    }

    @Test func manyExchangesAtOnceAllComeBack() async throws {
        let gateway = try LoopbackGateway { request in .status(200, body: #"{"message_id":"\#(request.idempotencyKey)"}"#, delay: 0.02) }
        let transport = self.transport
        let results = await withTaskGroup(of: String.self) { group in
            for index in 0..<200 {
                group.addTask {
                    let request = HTTPRequest(url: gateway.url, headers: [("Idempotency-Key", "k\(index)")], body: [],
                                              timeout: .seconds(10))
                    switch await transport.perform(request) {
                    case .success(let response): return "\(response.status)"
                    case .failure(let failure): return "\(failure)"
                    }
                }
            }
            return await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(results.count == 200 && results.allSatisfy { $0 == "200" }, "\(results.filter { $0 != "200" })")
        #expect(Set(gateway.requests.map(\.idempotencyKey)).count == 200)
    }

    @Test func tlsIsVerifiedAndHTTP2IsSpokenWhenOffered() async throws {
        let gateway = try await TLSGateway.start()
        // A self-signed certificate the system does not trust: refused.
        guard case .failure(.connection(let detail)) = await post(gateway.url) else {
            Issue.record("an untrusted certificate must fail the exchange")
            return
        }
        #expect(detail.lowercased().contains("certificate"), "\(detail)")
        // Trusted through ca_file: the exchange goes through, over HTTP/2.
        let response = try await post(gateway.url, caFile: gateway.certificatePath).get()
        #expect(response.status == 200 && response.httpVersion == "2")
        #expect(String(decoding: response.body, as: UTF8.self).contains("h2"))
    }
}

extension Result where Failure == HTTPFailure {
    var failure: HTTPFailure? {
        if case .failure(let failure) = self { failure } else { nil }
    }
}

/// A transport of the test's own, closed with it.
private final class OwnPool: Sendable {
    let transport = CurlTransport()

    deinit {
        transport.close()
    }
}
