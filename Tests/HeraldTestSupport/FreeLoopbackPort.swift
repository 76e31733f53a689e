import Foundation

/// A loopback port nothing listens on now (bound and released; a small race, fine for tests),
/// for servers the tests start as processes (nghttpd, PostgreSQL).
func freeLoopbackPort() throws -> UInt16 {
    do {
        let (descriptor, port) = try LoopbackSocket.bound(to: 0)
        close(descriptor)
        return port
    } catch {
        throw TLSGateway.Unavailable(description: "no free port: \(error)")
    }
}

/// Whether something accepts connections on the loopback `port` now.
func loopbackAccepts(_ port: UInt16) -> Bool {
    guard let descriptor = LoopbackSocket.connected(to: port) else { return false }
    close(descriptor)
    return true
}
