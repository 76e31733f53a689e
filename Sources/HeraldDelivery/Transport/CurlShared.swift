import CCurl
import Synchronization

/// What the callers' threads and the transport's thread share: the inbox (under a lock) and
/// the `CURLM *`. libcurl allows `curl_multi_wakeup` from any thread; every other call on the
/// handle is made by the transport's thread alone, which is why the pointer may be shared.
/// Wake-ups are made under the inbox's lock and only while `isClosed` is false: the thread
/// sets it under the same lock before it frees the handle, so no wake-up touches freed memory.
final class CurlShared: @unchecked Sendable {
    struct Inbox {
        var submitted: [CurlTransfer] = []
        var hasCancellations = false
        var isClosing = false
        /// The thread has ended and freed the multi handle.
        var isClosed = false
    }

    let multi: UnsafeMutableRawPointer
    let inbox = Mutex(Inbox())

    init() {
        guard let multi = curl_multi_init() else { fatalError("curl_multi_init: out of memory") }
        self.multi = multi
        // Multiplex HTTP/2 streams on one connection; keep enough idle connections for bursts.
        herald_curl_multi_setopt_long(multi, CURLMOPT_PIPELINING, Int(CURLPIPE_MULTIPLEX))
        herald_curl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, 1024)
    }

    /// False when the transport is closing.
    func submit(_ transfer: CurlTransfer) -> Bool {
        inbox.withLock { inbox -> Bool in
            guard !inbox.isClosing else { return false }
            inbox.submitted.append(transfer)
            curl_multi_wakeup(multi)
            return true
        }
    }

    func cancel(_ transfer: CurlTransfer) {
        transfer.isCancelRequested.store(true, ordering: .releasing)
        inbox.withLock { inbox in
            inbox.hasCancellations = true
            if !inbox.isClosed { curl_multi_wakeup(multi) }
        }
    }

    func close() {
        inbox.withLock { inbox in
            inbox.isClosing = true
            if !inbox.isClosed { curl_multi_wakeup(multi) }
        }
    }

    /// The thread's last word before it frees the handle.
    func markClosed() {
        inbox.withLock { $0.isClosed = true }
    }
}
