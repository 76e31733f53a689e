/// Answers the edge's requests. Called on the server's threads, several at a time.
///
/// `answer` is called exactly once: at once for a route that has its answer, or later from
/// another thread for one that must wait (a commit). A waiting request does not hold a server
/// thread: the server suspends its connection until the answer comes.
public protocol EdgeHandler: Sendable {
    func respond(to request: EdgeRequest, answer: @escaping @Sendable (EdgeResponse) -> Void)
}
