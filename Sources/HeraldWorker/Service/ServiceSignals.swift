import Dispatch
import Foundation

/// What an operator asks of the running service, by signal.
public enum ServiceSignal: Sendable {
    /// SIGTERM, SIGINT: stop claiming, finish or release in-flight rows, exit 0.
    case terminate
    /// SIGHUP: reload config, triggers and templates.
    case reload

    /// The signals as an async stream, fed by `DispatchSource` (the default handlers are
    /// switched off while the stream lives, so the process is not killed by them).
    public static func stream() -> AsyncStream<ServiceSignal> {
        AsyncStream { continuation in
            let sources = [(SIGTERM, ServiceSignal.terminate), (SIGINT, .terminate), (SIGHUP, .reload)].map { number, meaning in
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler { continuation.yield(meaning) }
                source.resume()
                return source
            }
            let retained = SignalSources(sources: sources)
            continuation.onTermination = { _ in retained.cancel() }
        }
    }
}

/// Keeps the signal sources alive as long as the stream. Sendable because the array is
/// never mutated and `cancel()` is thread-safe on dispatch sources.
private final class SignalSources: @unchecked Sendable {
    let sources: [any DispatchSourceSignal]

    init(sources: [any DispatchSourceSignal]) {
        self.sources = sources
    }

    func cancel() { sources.forEach { $0.cancel() } }
}
