import Foundation
import Synchronization
import Testing
@testable import HeraldEdge
import HeraldTestSupport

/// An echo route: method, path, query, a header and the body's length.
private struct Echo: EdgeHandler {
    func respond(to request: EdgeRequest, answer: @escaping @Sendable (EdgeResponse) -> Void) {
        answer(.text(200, "\(request.method) \(request.path) ?\(request.arguments.sorted { $0.key < $1.key }) "
                     + "ua=\(request.header("User-Agent") ?? "-") body=\(request.body.count) from=\(request.clientAddress ?? "-")\n"))
    }
}

/// A route that answers every request from another thread, a moment later.
private struct Later: EdgeHandler {
    func respond(to request: EdgeRequest, answer: @escaping @Sendable (EdgeResponse) -> Void) {
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(2)) { answer(.text(200, "later\n")) }
    }
}

/// A route that answers from another thread only once `expected` requests are waiting (or
/// after `deadline`, with 503): it gets them all only if a waiting request holds no server thread.
private final class Gathering: EdgeHandler, @unchecked Sendable {
    // @unchecked: `waiting` under `lock`.
    private let lock = NSLock()
    private var waiting: [@Sendable (EdgeResponse) -> Void] = []
    private var released: EdgeResponse?
    private let expected: Int

    init(expected: Int, deadline: Double) {
        self.expected = expected
        DispatchQueue.global().asyncAfter(deadline: .now() + deadline) { [self] in release(.text(503, "only some came\n")) }
    }

    func respond(to request: EdgeRequest, answer: @escaping @Sendable (EdgeResponse) -> Void) {
        let (all, late) = lock.withLock {
            if released == nil { waiting.append(answer) }
            return (waiting.count >= expected, released)
        }
        if let late { return answer(late) }
        if all { DispatchQueue.global().async { [self] in release(.text(200, "together\n")) } }
    }

    /// Requests waiting for their answer.
    var waitingCount: Int { lock.withLock { waiting.count } }

    private func release(_ response: EdgeResponse) {
        let answers = lock.withLock {
            defer { waiting = [] }
            if released == nil { released = response }
            return waiting
        }
        answers.forEach { $0(response) }
    }
}

/// The edge's HTTP server against real sockets: well-formed requests reach the route whole;
/// malformed, oversized and slow ones get a 4xx or a closed connection, and the server goes on.
@Suite(.timeLimit(.minutes(2))) struct HTTPServerTests {
    private func server(idleTimeout: Int = 10) throws -> HTTPServer {
        var limits = HTTPServer.Limits()
        limits.idleTimeout = idleTimeout
        return try HTTPServer(listen: "127.0.0.1:0", handler: Echo(), limits: limits)
    }

    @Test func aRequestReachesTheRouteWhole() throws {
        let server = try server()
        #expect(server.port > 0)
        let reply = RawHTTPClient.request(port: server.port, "POST", "/receipts/http?x=1",
                                          headers: ["User-Agent": "tester"], body: Array("hello".utf8))
        #expect(reply.status == 200)
        #expect(reply.text.hasSuffix(#"POST /receipts/http ?[(key: "x", value: "1")] ua=tester body=5 from=127.0.0.1"# + "\n"))
        let head = RawHTTPClient.request(port: server.port, "HEAD", "/x")
        #expect(head.status == 200 && head.text.hasSuffix("\r\n\r\n"), "HEAD carries no body")
    }

    @Test func aBodyOverTheLimitIs413AndTheHeadersOverTheLimitAreRefused() throws {
        let server = try server()
        let big = RawHTTPClient.request(port: server.port, "POST", "/r", body: [UInt8](repeating: 65, count: 1_100_000))
        #expect(big.status == 413)
        let header = RawHTTPClient.request(port: server.port, "GET", "/r", headers: ["X-Big": String(repeating: "a", count: 40_000)])
        #expect(header.status.map { (400..<500).contains($0) } ?? header.closed, "\(header.text.prefix(80))")
        #expect(RawHTTPClient.request(port: server.port, "GET", "/still").status == 200)
    }

    /// A body announced too large is refused from its Content-Length, before it is sent.
    @Test func aBodyAnnouncedOverTheLimitIs413BeforeItIsSent() throws {
        let server = try server()
        let head = "POST /r HTTP/1.1\r\nHost: a\r\nContent-Length: 5000000\r\n\r\n"
        let reply = RawHTTPClient.exchange(port: server.port, [Array(head.utf8)], within: 10)
        #expect(reply.status == 413, "no 413 within 10 s for a head announcing 5 MB: \(reply.text.prefix(80))")
    }

    /// 40 requests wait for an answer at once on a server of 2 threads: a request waiting for
    /// its answer (a commit) holds no thread, so all 40 reach the route and are answered.
    @Test func requestsWaitingForTheirAnswerHoldNoThread() throws {
        let server = try HTTPServer(listen: "127.0.0.1:0", handler: Gathering(expected: 40, deadline: 20))
        let statuses = onThreads(40) { index in
            RawHTTPClient.request(port: server.port, "POST", "/w/\(index)", within: 30).status
        }
        #expect(statuses.allSatisfy { $0 == 200 }, "\(statuses)")
    }

    /// Stopping the server while requests wait for their answers: they get them, then it stops
    /// (libmicrohttpd would abort the process if stopped with a connection still waiting).
    @Test func stoppingWaitsForAnswersOnTheWay() throws {
        let gathering = Gathering(expected: 1_000, deadline: 3)
        let server = try HTTPServer(listen: "127.0.0.1:0", handler: gathering)
        let port = server.port
        let replies = onThreads(2) { index in
            guard index == 1 else { return RawHTTPClient.request(port: port, "POST", "/w", within: 20) }
            let deadline = Date(timeIntervalSinceNow: 10)
            while gathering.waitingCount == 0 && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
            server.stop()
            return RawHTTPClient.request(port: port, "GET", "/after", within: 2)
        }
        #expect(replies[0].status == 503 && replies[0].text.hasSuffix("only some came\n"), "\(replies[0].text.prefix(80))")
        #expect(replies[1].status == nil, "still listening after stop")
    }

    /// Stopping in the middle of a stream of requests whose answers come from another thread:
    /// every request is answered (200, or 503 once the server is stopping) or refused at
    /// connect, and the process survives (libmicrohttpd aborts it if stopped with a connection
    /// suspended).
    @Test func stoppingUnderLoadAnswersOrRefusesEveryRequest() throws {
        let server = try HTTPServer(listen: "127.0.0.1:0", handler: Later())
        let port = server.port
        let stopped = Mutex(false)
        let statuses = onThreads(9) { index -> [Int?] in
            guard index < 8 else {
                Thread.sleep(forTimeInterval: 0.3)
                server.stop()
                stopped.withLock { $0 = true }
                return []
            }
            var seen: [Int?] = []
            while !stopped.withLock({ $0 }) && seen.count < 2_000 {
                seen.append(RawHTTPClient.request(port: port, "POST", "/later", within: 10).status)
            }
            return seen
        }.flatMap { $0 }
        #expect(statuses.contains(200), "no request was answered before the stop")
        #expect(statuses.allSatisfy { $0 == nil || $0 == 200 || $0 == 503 }, "\(Set(statuses.map { $0 ?? 0 }))")
    }

    /// Runs `body` on `count` threads of its own (blocking sockets must not take the test
    /// runner's few threads) and returns their results in order.
    private func onThreads<Value: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) -> Value) -> [Value] {
        let results = Mutex([Int: Value]())
        let group = DispatchGroup()
        for index in 0..<count {
            group.enter()
            Thread {
                let value = body(index)
                results.withLock { $0[index] = value }
                group.leave()
            }.start()
        }
        group.wait()
        return results.withLock { results in (0..<count).map { results[$0]! } }
    }

    @Test func keepAliveAndPipelinedRequestsAreAnsweredInOrder() throws {
        let server = try server()
        let two = "GET /one HTTP/1.1\r\nHost: a\r\n\r\nGET /two HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
        let reply = RawHTTPClient.exchange(port: server.port, [Array(two.utf8)])
        let one = try #require(reply.text.range(of: "GET /one"))
        let second = try #require(reply.text.range(of: "GET /two"))
        #expect(one.lowerBound < second.lowerBound)
    }

    /// A slow client (slowloris) that never finishes its headers is cut off after the idle
    /// timeout; the server answers others meanwhile.
    @Test func aClientThatStallsIsClosed() throws {
        let server = try server(idleTimeout: 1)
        let started = Date()
        let stalled = RawHTTPClient.exchange(port: server.port, [Array("GET /slow HTTP/1.1\r\nHost: a\r\n".utf8)],
                                             within: 15)
        #expect(stalled.closed, "the stalled connection was still open after 15 s")
        #expect(Date().timeIntervalSince(started) < 15)
        #expect(RawHTTPClient.request(port: server.port, "GET", "/after").status == 200)
    }

    /// 120 malformed requests: each gets a 4xx or a closed connection, never a hang past its
    /// deadline or a crash — and a good request is answered after all of them.
    @Test func malformedRequestsNeverStopTheServer() throws {
        let server = try server(idleTimeout: 1)
        var inputs: [[UInt8]] = [
            Array("\r\n\r\n".utf8), Array("GET\r\n\r\n".utf8), Array("GET / HTTP/9.9\r\n\r\n".utf8),
            Array("BREW /pot HTTP/1.1\r\nHost: a\r\n\r\n".utf8), Array("GET / HTTP/1.1\r\n\r\n".utf8),
            Array("GET /\u{0} HTTP/1.1\r\nHost: a\r\n\r\n".utf8), [0xFF, 0xFE, 0x00, 0x01, 0x0D, 0x0A, 0x0D, 0x0A],
            Array("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc".utf8),
            Array("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -5\r\n\r\n".utf8),
            Array("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n".utf8),
            Array("GET / HTTP/1.1\r\nHost: a\r\nBad Header Line\r\n\r\n".utf8),
            Array("GET /../../etc/passwd HTTP/1.1\r\nHost: a\r\n\r\n".utf8),
            Array(("GET /" + String(repeating: "x", count: 70_000) + " HTTP/1.1\r\nHost: a\r\n\r\n").utf8),
        ]
        var random = SystemRandomNumberGenerator()
        while inputs.count < 120 {
            let length = Int.random(in: 1...300, using: &random)
            inputs.append((0..<length).map { _ in UInt8.random(in: 0...255, using: &random) } + [13, 10, 13, 10])
        }
        for input in inputs {
            let reply = RawHTTPClient.exchange(port: server.port, [input], within: 10)
            let refused = reply.status.map { (400..<600).contains($0) || $0 == 200 } ?? reply.closed
            #expect(refused, "no 4xx and no close for \(input.prefix(40))")
        }
        #expect(RawHTTPClient.request(port: server.port, "GET", "/ok").status == 200)
    }

    @Test func listenAddressesAreCheckedWithAClearError() {
        #expect(throws: HTTPServer.ServerError.self) { try HTTPServer(listen: "localhost", handler: Echo()) }
        #expect(throws: HTTPServer.ServerError.self) { try HTTPServer(listen: "example.cn:80", handler: Echo()) }
    }
}
