import Foundation
import HeraldCore
import Synchronization

/// An access token a provider issues for a while (WeChat's, Google's OAuth one), kept until
/// `margin` before it expires and renewed one request at a time: sends arriving during a
/// renewal wait for it and share it (each new WeChat token ends the previous one's life).
/// A token the provider just refused is never handed out again: a joined renewal that
/// returns it is followed by one of the caller's own.
final class AccessTokenCache: Sendable {
    /// Why no token could be had, as the row's result.
    struct Failure: Error {
        var result: ChannelResult
    }

    private let cached = Mutex<SharedToken?>(nil)
    private let renewal = SingleFlight<Result<String, Failure>>()
    private let margin: TimeInterval
    /// For the message when the provider keeps handing out a refused token.
    private let provider: String

    init(margin: TimeInterval, provider: String) {
        self.margin = margin
        self.provider = provider
    }

    /// A token valid for `margin` after `now` and other than `rejected`: the kept one, else
    /// what `renew` finds (a token another worker stored, which `isUsable` vets) or fetches.
    func token(at now: Date, replacing rejected: String?,
               renew: @escaping @Sendable (_ isUsable: @Sendable (SharedToken) -> Bool) async -> Result<SharedToken, Failure>)
        async -> Result<String, Failure> {
        let margin = margin
        let isUsable: @Sendable (SharedToken) -> Bool = {
            $0.token != rejected && $0.expiresAt.timeIntervalSince(now) > margin
        }
        if let kept = cached.withLock({ $0 }), isUsable(kept) { return .success(kept.token) }
        for _ in 0..<2 {
            let result = await renewal.run { [self] () -> Result<String, Failure> in
                // Another send may have renewed it meanwhile.
                if let kept = cached.withLock({ $0 }), isUsable(kept) { return .success(kept.token) }
                switch await renew(isUsable) {
                case .success(let issued):
                    cached.withLock { $0 = issued }
                    return .success(issued.token)
                case .failure(let failure):
                    return .failure(failure)
                }
            }
            if case .success(let token) = result, token == rejected { continue }
            return result
        }
        return .failure(Failure(result: .transient(error: "\(provider) kept handing out a refused access token",
                                                   httpStatus: nil, retryAfter: nil)))
    }

    /// A token answer's `expires_in` (seconds), bounded to a minute … a day; `fallback` without one.
    static func lifetime(_ answer: JSONValue?, fallback: TimeInterval) -> TimeInterval {
        guard case .number(let digits)? = answer?["expires_in"]?.kind, let seconds = Double(digits) else { return fallback }
        return min(max(seconds, 60), 86_400)
    }
}
