import Foundation
@_spi(StoreSQL) import HeraldStore
import Synchronization

/// A throwaway PostgreSQL server for tests: `initdb` in a temporary folder, then `postgres`
/// itself as a child process on a free loopback port with trust authentication, stopped
/// (SIGQUIT: immediate) and removed at deinit — or, for `shared`, when the test process exits.
///
/// PostgreSQL refuses to run as root, so as root both run as the `postgres` user through
/// `setpriv`, which execs rather than forks: the child is the server itself. `setpriv` also
/// gives it a parent-death signal, so a test process that dies leaves no server behind; the
/// servers are started from one thread that lives as long as the process, because that
/// signal follows the thread that started the child. Debian's `postgresql-15` provides the
/// binaries (`.ci/run` installs it). Not `pg_ctl`: it leaves the server behind as a
/// grandchild, which Foundation's `Process` then waits for.
public final class TemporaryPostgres: @unchecked Sendable {
    // @unchecked: `server` is only replaced under `lock`; the rest is set once in init.
    public let port: UInt16
    /// The `postgres` database (for administration: CREATE DATABASE, pg_terminate_backend).
    public let url: String
    private let folder: String
    private let binaries: String
    private let server = Mutex<Process?>(nil)
    private let durability: Durability

    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String
    }

    /// How much a commit is worth when the server stops.
    public enum Durability: Sendable {
        /// Commits return before their WAL is written; nothing is synced: fastest, for stores no test stops.
        case none
        /// A commit is in the WAL before it returns, so a server stopped at once (`stop()`)
        /// keeps every acknowledged commit; nothing is synced to disk (the machine does not crash).
        case commits
        /// PostgreSQL's defaults: every commit synced to disk, as in production (the benchmarks).
        case disk
    }

    public init(durability: Durability = .none) throws {
        self.durability = durability
        guard let binaries = ["/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin"]
            .first(where: { FileManager.default.isExecutableFile(atPath: $0 + "/initdb") }) else {
            throw Unavailable(description: "initdb not found (apt-get install postgresql-15)")
        }
        self.binaries = binaries
        folder = NSTemporaryDirectory() + "herald-pg-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        if geteuid() == 0 { try Self.run(Self.process("/bin/chown", ["postgres:postgres", folder], asOwner: false)) }
        port = try freeLoopbackPort()
        url = "postgresql://herald@127.0.0.1:\(port)/postgres?connect_timeout=10"
        try Self.run(Self.process(binaries + "/initdb", ["-D", folder + "/data", "-U", "herald", "-A", "trust", "-E", "UTF8",
                                                         "--no-sync", "--locale=C.UTF-8"]))
        try start()
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// The server every test of this process shares, started on first use; each test takes a
    /// database of its own (`makeDatabase()`).
    public static func shared() throws -> TemporaryPostgres { try sharedServer.get() }

    private static let sharedServer: Result<TemporaryPostgres, any Error> = {
        let result = Result { try TemporaryPostgres() }
        if case .success(let cluster) = result {
            removedAtExit.withLock { $0 = cluster }
            atexit { TemporaryPostgres.removedAtExit.withLock { $0 }?.removeAtExit() }
        }
        return result
    }()

    /// The shared server, for the exit handler (a C function: it captures nothing).
    private static let removedAtExit = Mutex<TemporaryPostgres?>(nil)

    private func removeAtExit() {
        stop()
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Starts the server (again, after `stop()`) on the same port and data, and waits until it listens.
    public func start() throws {
        let settings = switch durability {
        case .none: ["fsync=off", "synchronous_commit=off", "full_page_writes=off", "shared_buffers=64MB"]
        case .commits: ["fsync=off", "full_page_writes=off", "shared_buffers=64MB"]
        case .disk: ["shared_buffers=1GB", "max_wal_size=8GB", "checkpoint_timeout=30min"]
        }
        let process = Self.process(binaries + "/postgres", [
            "-D", folder + "/data", "-p", "\(port)", "-k", folder, "-c", "listen_addresses=127.0.0.1",
            "-c", "max_connections=300",
        ] + settings.flatMap { ["-c", $0] }, deathSignal: true)
        try ServerSpawner.shared.run(process)
        server.withLock { $0 = process }
        // Listening is not enough: after a stop the server first recovers, refusing connections.
        let deadline = Date(timeIntervalSinceNow: 30)
        while !loopbackAccepts(port) || (try? PostgresConnection(url: url)) == nil {
            guard Date() < deadline, process.isRunning else {
                throw Unavailable(description: "postgres did not accept connections on \(port) within 30 s")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    /// Stops the server at once (SIGQUIT), as a crash or a pulled cable would end it for the clients.
    public func stop() {
        let process = server.withLock { current in
            defer { current = nil }
            return current
        }
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGQUIT)
        process.waitUntilExit()
        // The port is free again once nothing accepts on it.
        let deadline = Date(timeIntervalSinceNow: 10)
        while loopbackAccepts(port) && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
    }

    /// A new, empty database at the current schema (cloned from one migrated once per server),
    /// as a URL; nothing else uses it.
    public func makeDatabase() throws -> String {
        let template = try migratedTemplate()
        let name = "herald_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased())"
        let admin = try PostgresConnection(url: url)
        // Two clones of one template at the same instant may collide on its lock: tried again.
        var attempt = 0
        while true {
            do {
                try admin.execute("CREATE DATABASE \(name) TEMPLATE \(template)")
                break
            } catch let error as PostgresError where error.state == "55006" && attempt < 50 {
                attempt += 1
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
        return databaseURL(name)
    }

    /// The URL of database `name` on this server.
    public func databaseURL(_ name: String) -> String {
        "postgresql://herald@127.0.0.1:\(port)/\(name)?connect_timeout=10"
    }

    private let template = Mutex<String?>(nil)

    /// The database new ones are cloned from, made on first use (under the lock: once).
    private func migratedTemplate() throws -> String {
        try template.withLock { name in
            if let name { return name }
            let admin = try PostgresConnection(url: url)
            try admin.execute("CREATE DATABASE herald_template")
            // The schema, then no connection left on it: CREATE DATABASE … TEMPLATE needs that.
            _ = try SQLStore(postgres: databaseURL("herald_template"))
            name = "herald_template"
            return "herald_template"
        }
    }

    /// `executable` with `arguments`, as the postgres user when running as root.
    private static func process(_ executable: String, _ arguments: [String], asOwner: Bool = true,
                                deathSignal: Bool = false) -> Process {
        let process = Process()
        var wrapper: [String] = []
        if asOwner && geteuid() == 0 { wrapper += ["--reuid=postgres", "--regid=postgres", "--init-groups"] }
        if deathSignal { wrapper += ["--pdeathsig", "QUIT"] }
        if wrapper.isEmpty {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            process.arguments = wrapper + ["--", executable] + arguments
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

/// Starts processes from one thread that lives as long as the test process: a child's
/// parent-death signal fires when the thread that started it ends, and the threads tests run
/// on come and go.
final class ServerSpawner: Sendable {
    static let shared = ServerSpawner()

    private let jobs = Mutex<[@Sendable () -> Void]>([])
    private let ready = DispatchSemaphore(value: 0)

    private init() {
        let thread = Thread { [self] in
            while true {
                ready.wait()
                jobs.withLock { $0.isEmpty ? nil : $0.removeFirst() }?()
            }
        }
        thread.name = "herald-test-spawner"
        thread.start()
    }

    /// Starts `process` on the spawner's thread and returns once it has started (or failed to).
    func run(_ process: Process) throws {
        let finished = DispatchSemaphore(value: 0)
        let failure = Mutex<(any Error)?>(nil)
        jobs.withLock {
            $0.append {
                do { try process.run() } catch { failure.withLock { $0 = error } }
                finished.signal()
            }
        }
        ready.signal()
        finished.wait()
        if let error = failure.withLock({ $0 }) { throw error }
    }
}
