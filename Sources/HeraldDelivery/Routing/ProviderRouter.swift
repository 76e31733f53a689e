import Foundation
import HeraldCore
import Synchronization

/// A channel's providers and how a message goes through them (SPEC 7): `failover` tries
/// them in the order listed, `weighted` starts with one drawn by `weight` and fails over to
/// the rest in order. A provider whose circuit is open is skipped; a provider-level answer
/// (transient, throttled, misconfigured) moves on to the next provider with the same
/// idempotency key; any other answer ends the message's turn. A provider's `rate_per_second`
/// makes its calls wait for a token.
///
/// The dispatcher sees one router per channel; an inline channel is a router of one.
public final class ProviderRouter: Sendable {
    public struct Provider: Sendable {
        public var channel: any Channel
        public var weight: Double
        /// Yuan per SMS segment, for costs; nil when not given.
        public var pricePerSegment: Double?
        public var ratePerSecond: Double?

        public init(channel: any Channel, weight: Double = 1, pricePerSegment: Double? = nil,
                    ratePerSecond: Double? = nil) {
            self.channel = channel
            self.weight = weight
            self.pricePerSegment = pricePerSegment
            self.ratePerSecond = ratePerSecond
        }
    }

    private struct State {
        var circuits: [CircuitBreaker]
        var buckets: [TokenBucket?]
    }

    public let channel: String
    public let providers: [Provider]
    public let strategy: ChannelConfig.Strategy
    private let state: Mutex<State>
    private let clock: any WallClock
    /// A number in [0, 1) for the weighted draw (injected: tests make it predictable).
    private let random: @Sendable () -> Double

    /// `circuit` nil: no circuits (a channel's one inline provider).
    public init(channel: String, providers: [Provider], strategy: ChannelConfig.Strategy = .failover,
                circuit: CircuitSettings? = CircuitSettings(), clock: any WallClock,
                random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }) {
        self.channel = channel
        self.providers = providers
        self.strategy = strategy
        self.clock = clock
        self.random = random
        state = Mutex(State(circuits: providers.map { _ in CircuitBreaker(settings: circuit) },
                            buckets: providers.map { $0.ratePerSecond.map(TokenBucket.init(rate:)) }))
    }

    public var providerNames: [String] { providers.map(\.channel.name) }

    /// Each provider's circuit as it stands.
    public func circuitStates() -> [(provider: String, state: CircuitBreaker.State)] {
        let circuits = state.withLock { $0.circuits }
        return zip(providers, circuits).map { ($0.channel.name, $1.state) }
    }

    public func pricePerSegment(of provider: String) -> Double? {
        providers.first { $0.channel.name == provider }?.pricePerSegment
    }

    public func send(_ message: ChannelMessage) async -> RoutedResult {
        var tries: [RoutedResult.ProviderTry] = []
        for index in order() {
            let admitted = state.withLock { $0.circuits[index].admit(at: clock.now()) }
            guard admitted else { continue }
            let provider = providers[index].channel
            guard await waitForToken(index) else {
                state.withLock { $0.circuits[index].record(.cancelled, at: clock.now()) }
                tries.append(.init(provider: provider.name, result: .cancelled, latency: .zero))
                return RoutedResult(result: .cancelled, provider: provider.name, tries: tries)
            }
            let started = ContinuousClock.now
            let result = await provider.send(message)
            state.withLock { $0.circuits[index].record(result, at: clock.now()) }
            tries.append(.init(provider: provider.name, result: result, latency: ContinuousClock.now - started))
            if !result.triesNextProvider { return RoutedResult(result: result, provider: provider.name, tries: tries) }
        }
        return summary(of: tries)
    }

    /// No provider took the message: a transient failure is retried with backoff (the
    /// circuits decide who is tried then), else a throttle defers it, else the setup is wrong.
    /// When no provider could be called at all, the message waits for the first half-open circuit.
    private func summary(of tries: [RoutedResult.ProviderTry]) -> RoutedResult {
        // Every try here was provider-level: transient, throttled or misconfigured.
        let decisive = tries.last { if case .transient = $0.result { true } else { false } }
            ?? tries.last { if case .throttled = $0.result { true } else { false } } ?? tries.last
        if let decisive {
            return RoutedResult(result: decisive.result, provider: decisive.provider, tries: tries)
        }
        let now = clock.now()
        let reopen = state.withLock { state in state.circuits.compactMap(\.halfOpensAt).min() }
        let wait = max(1, (reopen ?? now + 1).timeIntervalSince(now))
        let names = providerNames.joined(separator: ", ")
        return RoutedResult(result: .unavailable(error: "every provider's circuit is open (\(names)); the first "
                                                     + "probe is due in \(Int(wait.rounded(.up)))s", retryAfter: wait),
                            provider: nil, tries: tries)
    }

    /// Failover: as listed. Weighted: one drawn by weight among those whose circuit would
    /// let a call through, then the rest as listed.
    private func order() -> [Int] {
        let all = Array(providers.indices)
        guard strategy == .weighted, providers.count > 1 else { return all }
        let now = clock.now()
        let open = state.withLock { state in all.filter { state.circuits[$0].wouldAdmit(at: now) } }
        let total = open.reduce(0) { $0 + providers[$1].weight }
        guard total > 0 else { return all }
        var draw = random() * total
        var first = open.last ?? 0
        for index in open {
            draw -= providers[index].weight
            if draw < 0 {
                first = index
                break
            }
        }
        return [first] + all.filter { $0 != first }
    }

    /// Waits for the provider's rate limit; false when cancelled while waiting.
    private func waitForToken(_ index: Int) async -> Bool {
        while true {
            if Task.isCancelled { return false }
            let wait: Duration? = state.withLock { state in
                guard state.buckets[index] != nil else { return nil }
                return state.buckets[index]!.take(at: .now)
            }
            guard let wait else { return true }
            do { try await Task.sleep(for: wait) } catch { return false }
        }
    }
}
