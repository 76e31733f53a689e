/// Why an exchange produced no response.
public enum HTTPFailure: Error, Sendable, Equatable {
    /// The timeout ran out (connecting, or waiting for the answer).
    case timedOut
    /// Refused, reset, closed early, a reply that is not HTTP, TLS trouble: the request may or
    /// may not have reached the server.
    case connection(String)
    /// The request can never work as configured (a malformed URL, an unsupported scheme).
    case invalidRequest(String)
    /// The caller's task was cancelled (shutdown deadline) and the exchange was abandoned.
    case cancelled
}
