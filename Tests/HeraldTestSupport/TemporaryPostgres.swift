import Foundation

/// A throwaway PostgreSQL server for tests: `initdb` in a temporary folder, then `postgres`
/// itself as a child process on a free loopback port with trust authentication, stopped
/// (SIGQUIT: immediate) and removed at deinit. PostgreSQL refuses to run as root, so as root
/// both run as the `postgres` user through `setpriv`, which execs rather than forks — the
/// child is the server itself. Debian's `postgresql-15` provides the binaries (`.ci/run`
/// installs it). Not `pg_ctl`: it leaves the server behind as a grandchild, which Foundation's
/// `Process` then waits for.
public final class TemporaryPostgres: @unchecked Sendable {
    // @unchecked: `server` is set once in init and only signalled after.
    public let port: UInt16
    public let url: String
    private let folder: String
    private let server: Process

    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String
    }

    public init() throws {
        guard let binaries = ["/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin"]
            .first(where: { FileManager.default.isExecutableFile(atPath: $0 + "/initdb") }) else {
            throw Unavailable(description: "initdb not found (apt-get install postgresql-15)")
        }
        folder = NSTemporaryDirectory() + "herald-pg-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        if geteuid() == 0 { try Self.run(Self.process("/bin/chown", ["postgres:postgres", folder], asOwner: false)) }
        port = try freeLoopbackPort()
        url = "postgresql://herald@127.0.0.1:\(port)/postgres?connect_timeout=10"
        try Self.run(Self.process(binaries + "/initdb", ["-D", folder + "/data", "-U", "herald", "-A", "trust", "-E", "UTF8",
                                                         "--no-sync", "--locale=C.UTF-8"]))
        server = Self.process(binaries + "/postgres", ["-D", folder + "/data", "-p", "\(port)", "-k", folder,
                                                       "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"])
        try server.run()
        let deadline = Date(timeIntervalSinceNow: 30)
        while !loopbackAccepts(port) {
            guard Date() < deadline, server.isRunning else {
                throw Unavailable(description: "postgres did not listen on \(port) within 30 s")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    deinit {
        if server.isRunning {
            kill(server.processIdentifier, SIGQUIT)
            server.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// `executable` with `arguments`, as the postgres user when running as root.
    private static func process(_ executable: String, _ arguments: [String], asOwner: Bool = true) -> Process {
        let process = Process()
        if asOwner && geteuid() == 0 {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            process.arguments = ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", executable] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
        }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        return process
    }

    private static func run(_ process: Process) throws {
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Unavailable(description: "\(process.arguments?.first ?? "") failed with status \(process.terminationStatus)")
        }
    }
}
