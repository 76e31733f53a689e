import Foundation
import HeraldCore
import HeraldStore

/// Records the clicks `herald serve` redirects, in group commits: a redirect answers at once
/// and queues its click; a thread of its own ingests what queued every `interval` (50 ms), as
/// `click` events through the same ingester as `herald ingest` (so attribution is the same).
///
/// A click is idempotent per token and minute (its event id is `click-<token>-<minute>`): a
/// double tap or a refresh counts once, a click the next day counts again. A crash loses at
/// most the clicks of the last `interval`, whose visitors were already redirected; a batch
/// the store was too busy to take is tried again, one it refused for another reason is lost
/// (and reported).
final class ClickRecorder: @unchecked Sendable {
    // @unchecked: `queued` and `stopping` are only touched under `condition`; the ingester is
    // used by the recorder's own thread alone.
    private let condition = NSCondition()
    private var queued: [String] = []
    private var stopping = false
    private var finished = false
    private let ingester: any EventIngester
    private let interval: Double
    /// Told about a batch that could not be stored (the clicks are lost; the redirects happened).
    private let failed: @Sendable (any Error) -> Void

    init(store location: StoreLocation, keys: StoreKeys, defaultTimeZone: TimeZone, clock: any WallClock, interval: Double = 0.05,
         failed: @escaping @Sendable (any Error) -> Void) throws {
        ingester = try StoreFactory.open(location, keys: keys).makeEventIngester(defaultTimeZone: defaultTimeZone, clock: clock,
                                                                     batchSize: 10_000)
        self.interval = interval
        self.failed = failed
        let thread = Thread { [self] in run() }
        thread.name = "herald-clicks"
        thread.start()
    }

    func record(token: String, memberID: String, at instant: Date) {
        let line = JSONOutput.object([
            ("id", .string("click-\(token)-\(instant.epochSeconds / 60)")), ("member_id", .string(memberID)),
            ("type", "click"), ("at", .string(InstantFormatter.utcString(from: instant))), ("token", .string(token)),
        ]).rendered()
        condition.withLock {
            queued.append(line)
            condition.signal()
        }
    }

    /// Stores what is queued and stops the thread; waits at most `deadline` seconds.
    func stop(deadline: Double = 10) {
        condition.withLock {
            stopping = true
            condition.signal()
        }
        let until = Date().addingTimeInterval(deadline)
        condition.lock()
        while !finished && condition.wait(until: until) {}
        condition.unlock()
    }

    private func run() {
        while true {
            let (lines, last) = condition.withLock { () -> ([String], Bool) in
                while queued.isEmpty && !stopping { condition.wait() }
                let taken = queued
                queued.removeAll(keepingCapacity: true)
                return (taken, stopping)
            }
            if !lines.isEmpty {
                do {
                    _ = try ingester.ingest(lines: lines, sink: DiscardingRowSink())
                } catch let busy as any StoreFailure where busy.isBusy && !last {
                    // Another writer held the store (the worker beside it): try these again next time.
                    condition.withLock { queued.insert(contentsOf: lines, at: 0) }
                    failed(busy)
                } catch {
                    failed(error)
                }
            }
            if last {
                condition.withLock {
                    finished = true
                    condition.broadcast()
                }
                return
            }
            Thread.sleep(forTimeInterval: interval)
        }
    }
}
