import Foundation
import HeraldCore
import HeraldStore

/// `herald serve`'s routes (SPEC 8): tracked links, provider callbacks, unsubscribe, health
/// and metrics.
///
/// - `GET`/`HEAD /<token>` and `/<token>/<n>`: 302 to the send's first / n-th link target and,
///   for a `GET` by a person (not a preview or scanner, `LinkPreviewAgents`), a `click` event.
///   A token no send has, or a malformed one, answers `links.fallback` (302) or 404.
/// - `POST /replies/tencent`, `/replies/aliyun`: inbound SMS; an opt-out reply opts the
///   number out (`EdgeRouter+Replies.swift`).
/// - `POST /receipts/tencent`, `/receipts/aliyun`, `/receipts/http`: delivery receipts
///   (`EdgeRouter+Receipts.swift`). Callbacks need `?key=` equal to `serve.callback_key` and,
///   with `serve.callbacks_from`, a caller in that list. What they write is answered once
///   committed, in groups (`StoreWriter`).
/// - `GET`/`POST /u/<token>`: e-mail unsubscribe (`EdgeRouter+Unsubscribe.swift`).
/// - `GET /healthz`: 200 when the store answers, 503 when it does not; `GET /metrics`: the
///   edge's counters, Prometheus text, after the worker's samples (the textfile's) when the
///   worker runs in the same process.
public final class EdgeRouter: EdgeHandler {
    /// What the edge reports: an event name and its fields (addresses masked).
    public typealias Log = @Sendable (_ event: String, _ fields: KeyValuePairs<String, String>) -> Void

    let pool: StorePool
    let writer: StoreWriter
    private let clicks: ClickRecorder
    private let fallback: String?
    let clock: any WallClock
    /// For provider times without an offset (both providers send Beijing time).
    let timeZone: TimeZone
    let log: Log
    let storeFailed: @Sendable (any Error) -> Void
    let counters = EdgeCounters()
    /// What `/replies/*` and `/receipts/*` must carry as `?key=`; nil refuses them all.
    private let callbackKey: [UInt8]?
    /// Who may call `/replies/*` and `/receipts/*` (`serve.callbacks_from`); nil: anyone with the key.
    private let callbacksFrom: [IPAddressRange]?

    private let workerMetrics: (@Sendable () -> String)?

    /// What a route calls with its answer (`EdgeHandler`).
    typealias Answer = @Sendable (EdgeResponse) -> Void

    /// `callbackKey`: the provider callbacks' shared secret (`serve.callback_key`, secrets
    /// substituted); without one, callbacks are refused — anyone could otherwise opt a number out.
    /// `workerMetrics`: the worker's samples when it runs in the same process, shown on
    /// `/metrics` before the edge's counters.
    public init(store: StoreLocation, keys: StoreKeys = .none, config: HeraldConfig, callbackKey: String?,
                clock: any WallClock,
                workerMetrics: (@Sendable () -> String)? = nil, log: @escaping Log = { _, _ in },
                storeFailed: @escaping @Sendable (any Error) -> Void) throws {
        self.workerMetrics = workerMetrics
        pool = StorePool(location: store, keys: keys)
        let counters = counters
        writer = try StoreWriter(location: store, keys: keys, defaultTimeZone: config.timeZone, clock: clock) { callbacks in
            counters.add("herald_edge_commits_total")
            counters.add("herald_edge_committed_callbacks_total", callbacks)
        }
        clicks = try ClickRecorder(store: store, keys: keys, defaultTimeZone: config.timeZone, clock: clock, failed: storeFailed)
        fallback = config.links?.fallback
        self.callbackKey = callbackKey.flatMap { $0.isEmpty ? nil : Array($0.utf8) }
        callbacksFrom = config.serveCallbacksFrom
        self.clock = clock
        timeZone = config.timeZone
        self.log = log
        self.storeFailed = { error in
            counters.add("herald_edge_store_failures_total")
            storeFailed(error)
        }
    }

    /// Commits the callbacks still queued, then stores the clicks still queued. Call after
    /// the server stopped.
    public func stop() {
        writer.stop()
        clicks.stop()
    }

    public func respond(to request: EdgeRequest, answer: @escaping @Sendable (EdgeResponse) -> Void) {
        let isRead = request.method == "GET" || request.method == "HEAD"
        let path = request.path
        if path == "/metrics" {
            guard isRead else { return answer(.methodNotAllowed("GET, HEAD")) }
            let text = (workerMetrics?() ?? "") + counters.rendered()
            return answer(EdgeResponse(status: 200, headers: ["Content-Type": "text/plain; version=0.0.4; charset=utf-8"],
                                       body: Array(text.utf8)))
        }
        if path == "/healthz" {
            guard isRead else { return answer(.methodNotAllowed("GET, HEAD")) }
            let healthy = (try? pool.with { try $0.hasSuppressedAddresses() }) != nil
            return answer(healthy ? .text(200, "ok\n") : .text(503, "the store does not answer\n"))
        }
        if path.hasPrefix("/replies/") || path.hasPrefix("/receipts/") {
            if let refusal = callbackRefusal(request) { return answer(refusal) }
            switch path {
            case "/replies/tencent": return replies(request, provider: "tencent", answer: answer)
            case "/replies/aliyun": return replies(request, provider: "aliyun", answer: answer)
            case "/receipts/tencent": return receipts(request, provider: "tencent", answer: answer)
            case "/receipts/aliyun": return receipts(request, provider: "aliyun", answer: answer)
            case "/receipts/http": return receipts(request, provider: "http", answer: answer)
            default: return answer(.text(404, "no such callback\n"))
            }
        }
        if path.hasPrefix("/u/") { return unsubscribe(request, answer: answer) }
        answer(isRead ? link(request) : .methodNotAllowed("GET, HEAD"))
    }

    /// Why a provider callback is refused (403), or nil when it may go on.
    private func callbackRefusal(_ request: EdgeRequest) -> EdgeResponse? {
        guard let callbackKey else {
            return .text(403, "provider callbacks are off: set serve.callback_key and add ?key= to the callback URLs\n")
        }
        if let callbacksFrom {
            guard let caller = Self.caller(of: request), callbacksFrom.contains(where: { $0.contains(caller) }) else {
                counters.add("herald_edge_refused_callbacks_total")
                return .text(403, "not from an address in serve.callbacks_from\n")
            }
        }
        guard Self.equalInConstantTime(Array((request.arguments["key"] ?? "").utf8), callbackKey) else {
            counters.add("herald_edge_refused_callbacks_total")
            return .text(403, "wrong or missing key\n")
        }
        return nil
    }

    private static let loopback = [IPAddressRange("127.0.0.0/8")!, IPAddressRange("::1")!]

    /// Who called: the peer, or — when the peer is a proxy on this machine (loopback) — the
    /// address it passes in `X-Real-IP` (the nginx example in deploy/ sets it). A remote peer
    /// cannot claim another address that way.
    static func caller(of request: EdgeRequest) -> String? {
        guard let peer = request.clientAddress else { return nil }
        guard loopback.contains(where: { $0.contains(peer) }), let forwarded = request.header("x-real-ip") else {
            return peer
        }
        return forwarded.trimmingCharacters(in: .whitespaces)
    }

    private func link(_ request: EdgeRequest) -> EdgeResponse {
        guard let (token, index) = Self.parse(request.path) else { return unknown() }
        let found: TrackedLink?
        do {
            found = try pool.with { try $0.trackedLink(token: token) }
        } catch {
            storeFailed(error)
            return .text(503, "the store does not answer; try again\n")
        }
        guard let link = found, index <= link.targets.count else { return unknown() }
        counters.add("herald_edge_redirects_total")
        if request.method == "GET", !LinkPreviewAgents.isPreview(userAgent: request.header("user-agent")) {
            clicks.record(token: token, memberID: link.memberID, at: clock.now())
            counters.add("herald_edge_clicks_total")
        }
        return .redirect(to: link.targets[index - 1])
    }

    private func unknown() -> EdgeResponse {
        counters.add("herald_edge_unknown_links_total")
        return fallback.map(EdgeResponse.redirect(to:)) ?? .text(404, "no such link\n")
    }

    /// Compares without stopping at the first difference, so the time taken says nothing
    /// about how much of a guessed key was right.
    static func equalInConstantTime(_ given: [UInt8], _ expected: [UInt8]) -> Bool {
        var difference = UInt8(given.count == expected.count ? 0 : 1)
        for index in expected.indices { difference |= expected[index] ^ (index < given.count ? given[index] : 0) }
        return difference == 0
    }

    /// `/<token>` or `/<token>/<n>`: a token of `SendCodes`' alphabet and length, n from 1.
    static func parse(_ path: String) -> (token: String, index: Int)? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3, parts[0].isEmpty else { return nil }
        let token = parts[1]
        guard SendCodes.isLinkToken(token) else { return nil }
        guard parts.count == 3 else { return (String(token), 1) }
        guard parts[2].utf8.count <= 3, let index = Int(parts[2]), index >= 1 else { return nil }
        return (String(token), index)
    }
}
