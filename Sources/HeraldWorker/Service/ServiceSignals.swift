import Dispatch
import Foundation
import Synchronization

/// What an operator asks of the running service, by signal.
public enum ServiceSignal: Sendable {
    /// SIGTERM, SIGINT: stop claiming, finish or release in-flight rows, exit 0.
    case terminate
    /// SIGHUP: reload config, triggers and templates.
    case reload

    /// The signals as an async stream, while it lives (one at a time per process). Call it on
    /// the main thread: it unblocks the signals there, as a parent (a test runner, a shell
    /// script) may have left them blocked, and the main thread lives as long as the process.
    ///
    /// A real handler writes the signal's number into a pipe whose reader feeds the stream
    /// (the self-pipe trick). Ignoring the signals and reading them through a dispatch signal
    /// source instead lost a SIGTERM now and then on Linux: any thread that had not blocked
    /// it could take it first and drop it, and the service ran on.
    public static func stream() -> AsyncStream<ServiceSignal> {
        AsyncStream { continuation in
            guard let pipe = SignalPipe.open() else {
                continuation.finish()
                return
            }
            pipe.reader.setEventHandler {
                var numbers = [UInt8](repeating: 0, count: 16)
                let count = read(pipe.readEnd, &numbers, numbers.count)
                for number in numbers.prefix(max(count, 0)) {
                    continuation.yield(Int32(number) == SIGHUP ? .reload : .terminate)
                }
            }
            pipe.reader.resume()
            continuation.onTermination = { _ in pipe.close() }
        }
    }
}

/// The write end the handler uses; -1 while no stream lives. A plain global so the
/// handler (which may run on any thread, at any instant) touches nothing but an atomic.
private let signalWriteEnd = Atomic<Int32>(-1)

/// The handler: async-signal-safe, it only writes one byte (never blocks: the pipe is
/// non-blocking, and a full pipe already holds enough wake-ups).
private func forwardSignal(_ number: Int32) {
    var byte = UInt8(truncatingIfNeeded: number)
    _ = write(signalWriteEnd.load(ordering: .relaxed), &byte, 1)
}

/// The pipe, its reader, and the handlers it installed; `close()` puts the defaults back.
/// Unchecked Sendable: nothing is mutated after `open()`, and dispatch sources are
/// thread-safe to cancel.
private final class SignalPipe: @unchecked Sendable {
    static let numbers = [SIGTERM, SIGINT, SIGHUP]

    let readEnd: Int32
    let writeEnd: Int32
    let reader: any DispatchSourceRead

    private init(readEnd: Int32, writeEnd: Int32) {
        self.readEnd = readEnd
        self.writeEnd = writeEnd
        reader = DispatchSource.makeReadSource(fileDescriptor: readEnd, queue: .global())
    }

    static func open() -> SignalPipe? {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { return nil }
        for end in ends {
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        let opened = SignalPipe(readEnd: ends[0], writeEnd: ends[1])
        signalWriteEnd.store(ends[1], ordering: .relaxed)
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        for number in numbers {
            signal(number, forwardSignal)
            sigaddset(&unblocked, number)
        }
        pthread_sigmask(SIG_UNBLOCK, &unblocked, nil)
        return opened
    }

    func close() {
        for number in Self.numbers { signal(number, SIG_DFL) }
        signalWriteEnd.store(-1, ordering: .relaxed)
        reader.setCancelHandler { [readEnd, writeEnd] in
            Foundation.close(readEnd)
            Foundation.close(writeEnd)
        }
        reader.cancel()
    }
}
