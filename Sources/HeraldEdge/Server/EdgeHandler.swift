/// Answers the edge's requests. Called on the server's threads, several at a time.
public protocol EdgeHandler: Sendable {
    func respond(to request: EdgeRequest) -> EdgeResponse
}
