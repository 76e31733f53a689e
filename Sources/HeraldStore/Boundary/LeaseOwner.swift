import Foundation

/// Names a worker on the outbox leases it holds.
public enum LeaseOwner {
    /// `host/pid/random`: unique per process, readable in `outbox show`.
    public static func makeName() -> String {
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "host"
        return "\(host)/\(getpid())/\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
    }
}
