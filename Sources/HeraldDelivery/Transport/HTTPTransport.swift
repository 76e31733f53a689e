/// Performs HTTP exchanges. `CurlTransport` is the real one; tests of adapters may use any.
public protocol HTTPTransport: Sendable {
    func perform(_ request: HTTPRequest) async -> Result<HTTPResponse, HTTPFailure>
}
