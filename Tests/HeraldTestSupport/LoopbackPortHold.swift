import Foundation

/// A loopback port kept bound but not listening: connections to it are refused (a gateway that
/// is down), and no other test's server or `bind(0)` can take the port meanwhile — so a test
/// can bring its gateway back up on the same port without another test's socket there first.
public final class LoopbackPortHold {
    private var socketDescriptor: Int32

    /// Binds `port` on 127.0.0.1 (right after the gateway on it stopped).
    public init(port: UInt16) throws {
        socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketDescriptor >= 0 else { throw LoopbackGateway.GatewayError(description: "socket: \(errno)") }
        var yes: Int32 = 1
        setsockopt(socketDescriptor, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = port.bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socketDescriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else {
            let failure = errno
            close(socketDescriptor)
            throw LoopbackGateway.GatewayError(description: "holding port \(port): bind: \(failure)")
        }
    }

    /// Frees the port (for the gateway coming back); safe to call twice.
    public func release() {
        guard socketDescriptor >= 0 else { return }
        close(socketDescriptor)
        socketDescriptor = -1
    }

    deinit { release() }
}
