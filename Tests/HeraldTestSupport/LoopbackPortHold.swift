import Foundation

/// A loopback port kept bound but not listening: connections to it are refused (a gateway that
/// is down), and no other test's server or `bind(0)` can take the port meanwhile — so a test
/// can bring its gateway back up on the same port without another test's socket there first.
public final class LoopbackPortHold {
    private var socketDescriptor: Int32

    /// Binds `port` on 127.0.0.1 (right after the gateway on it stopped).
    public init(port: UInt16) throws {
        socketDescriptor = try LoopbackSocket.bound(to: port).descriptor
    }

    /// Frees the port (for the gateway coming back); safe to call twice.
    public func release() {
        guard socketDescriptor >= 0 else { return }
        close(socketDescriptor)
        socketDescriptor = -1
    }

    deinit { release() }
}
