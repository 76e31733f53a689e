import CMicroHTTPD
import Foundation

/// One request's state between libmicrohttpd's calls (`HTTPServer+Callbacks.swift`): its body
/// as it arrives, and the route's answer, which may come from another thread.
///
/// A route that answers later has the connection suspended (`answerOrSuspend`) and resumed
/// once its answer is here (`deliver`); libmicrohttpd then calls `access` again, which finds
/// the answer and queues it. The lock orders the two: an answer arriving while the server
/// thread decides either is seen by it or finds the connection suspended, so the resume
/// always follows the suspend and happens once.
final class PendingRequest: @unchecked Sendable {
    // @unchecked: `body`, `tooLarge` and `started` are touched on the connection's server
    // thread only (libmicrohttpd calls `access` for one connection on one thread at a time);
    // `response`, `suspended` and `connection` under `lock`, shared with the answering thread.
    var body: [UInt8] = []
    var tooLarge = false
    /// The route has been called.
    var started = false
    private let lock = NSLock()
    private var response: EdgeResponse?
    private var suspended = false
    /// The suspended connection: valid from the suspend until its one resume (it cannot
    /// complete, so libmicrohttpd cannot free it, while suspended).
    private var connection: OpaquePointer?

    /// The route's answer, from whichever thread has it; resumes the connection if it waits.
    func deliver(_ response: EdgeResponse) {
        let waiting: OpaquePointer? = lock.withLock {
            self.response = response
            defer {
                suspended = false
                connection = nil
            }
            return suspended ? connection : nil
        }
        if let waiting { MHD_resume_connection(waiting) }
    }

    /// The answer if it is here; otherwise suspends `connection` until `deliver` (nil).
    func answerOrSuspend(_ connection: OpaquePointer) -> EdgeResponse? {
        lock.withLock {
            if let response {
                self.response = nil
                return response
            }
            // Called again while waiting would suspend twice, which libmicrohttpd does not survive.
            guard !suspended else { return nil }
            suspended = true
            self.connection = connection
            MHD_suspend_connection(connection)
            return nil
        }
    }
}
