import Foundation
import HeraldCore

/// The store's connection to PostgreSQL (`SQLDatabase`): statements prepared on the server
/// once per connection and parameter types, rows streamed through a held cursor, and a
/// broken connection made again at the next use outside a transaction — a restarted server or
/// a dropped network costs the work that was under way, and the worker goes on.
///
/// Reconnecting is never silent where it would change what the caller relies on: a
/// connection lost inside a transaction (however it was begun: `withTransaction`, a batch, a
/// copy) fails every statement until its owner rolls back, and one that held the evaluator
/// lock fails its next statement once, so a tick never goes on without the lock.
///
/// Each connection waits at most `lock_timeout` (5 s, as SQLite's busy timeout) for a row
/// another transaction holds; a read-only one has `default_transaction_read_only` on.
///
/// Commits are as durable as the server makes them (`synchronous_commit`, on by default: a
/// commit that returned survives a crash of the server). Waiting for the WAL flush was
/// measured not to limit delivery (docs/benchmarks.md), so Herald does not relax it.
@_spi(StoreSQL) public final class PostgresDatabase: SQLDatabase {
    public let connection: PostgresConnection
    private let url: String
    public let isReadOnly: Bool
    public var transactionDepth = 0
    public var dialect: SQLDialect { .postgres }
    public var location: StoreLocation { .postgres(url: url) }
    /// Statement names on the server, by SQL text and parameter types; forgotten with the session.
    private var prepared: [PreparedKey: String] = [:]
    private var statementsPrepared = 0
    private var cursorsDeclared = 0
    /// Counts the sessions this connection has had: a new one has lost its session state
    /// (advisory locks included).
    public private(set) var session = 1

    private struct PreparedKey: Hashable {
        var sql: String
        var types: [UInt32]
    }

    /// A server that holds more prepared statements than this for one connection has most of
    /// them from shapes no longer used: they are let go and prepared again as needed.
    private static let preparedLimit = 1_000

    public init(url: String, readOnly: Bool = false) throws {
        self.url = url
        isReadOnly = readOnly
        connection = try PostgresConnection(url: url)
        let encoding = try connection.query("SHOW server_encoding").first?.first ?? nil
        guard encoding == "UTF8" else {
            throw PostgresError(state: nil, message: "\(connection.redactedURL): the database's encoding is "
                + "\(encoding ?? "unknown"); Herald stores Chinese text and needs a UTF8 database "
                + "(CREATE DATABASE … ENCODING 'UTF8' TEMPLATE template0)")
        }
        try startSession()
    }

    private func startSession() throws {
        // Messages below warnings ("relation already exists, skipping") would go to standard
        // error. A bulk load's staging table (a batch of 100,000 rows) stays in memory. JIT
        // compiling costs hundreds of milliseconds, and a batch statement over a fresh
        // staging table looks expensive enough to the planner to get it: Herald's statements
        // are all short. The server's own keepalives end the session of a worker cut off by the
        // network within about a minute, and with it its evaluator lock (the default waits hours).
        try connection.execute("""
            SET lock_timeout = '5s'; SET client_min_messages = warning; SET jit = off; SET temp_buffers = '64MB';
            SET tcp_keepalives_idle = 30; SET tcp_keepalives_interval = 10; SET tcp_keepalives_count = 3
            """)
        if isReadOnly { try connection.execute("SET default_transaction_read_only = on") }
    }

    /// Whether a transaction was open after the last statement that reached the server: what
    /// decides, once the connection breaks, whether reconnecting would lose work.
    private var wasInTransaction = false
    /// The connection broke inside a transaction: every statement fails until `ROLLBACK`.
    private var lostTransaction = false
    /// Cursors a failed transaction kept from closing: closed once the session is idle again.
    private var cursorsToClose: [String] = []

    private var lostError: PostgresError {
        PostgresError(state: nil, message: "the connection to \(connection.redactedURL) was lost inside a "
            + "transaction; it is rolled back", isConnectionLost: true)
    }

    /// The connection, made again if it broke — between transactions only.
    private func usableConnection() throws -> PostgresConnection {
        if lostTransaction { throw lostError }
        guard connection.isBroken else { return connection }
        if wasInTransaction {
            lostTransaction = true
            throw lostError
        }
        if !deferredHandlers.isEmpty {
            // Statements sent and never answered: whether they ran is unknown, and said once.
            deferredHandlers.removeAll()
            throw PostgresError(state: nil, message: "the connection to \(connection.redactedURL) was lost before "
                + "statements sent to it were answered", isConnectionLost: true)
        }
        if evaluatorLockSession == session {
            // The lock went with the session: this tick stops here, the next one asks again.
            evaluatorLockSession = nil
            throw PostgresError(state: nil, message: "the connection to \(connection.redactedURL) was lost, and "
                + "the evaluator lock with it", isConnectionLost: true)
        }
        try connection.reconnect()
        prepared.removeAll()
        cursorsToClose.removeAll()
        session += 1
        try startSession()
        return connection
    }

    /// Notes whether a transaction is open now (unknown when the connection broke: the last
    /// answer stands), and closes left-over cursors once none is.
    private func noteTransactionState() {
        guard let open = connection.isInTransaction else { return }
        wasInTransaction = open
        guard !open, !cursorsToClose.isEmpty else { return }
        let leftovers = cursorsToClose
        cursorsToClose.removeAll()
        for cursor in leftovers { _ = try? connection.execute("CLOSE \(cursor)") }
    }

    public func execute(_ sql: String) throws {
        if sql == "ROLLBACK" { return try rollBack() }
        try flushDeferred()
        let connection = try usableConnection()
        defer { noteTransactionState() }
        try connection.execute(sql)
    }

    /// A rollback undoes what was sent before it, failed or not, so it runs after a failed
    /// deferred write. One that finds the connection gone — before it or on its way — has
    /// nothing left to undo: the server rolled the transaction back when the session ended.
    /// It succeeds, and the next statement reconnects.
    private func rollBack() throws {
        try? flushDeferred()
        if !lostTransaction && !connection.isBroken {
            do {
                defer { noteTransactionState() }
                try connection.execute("ROLLBACK")
                return
            } catch {
                guard connection.isBroken else { throw error }
            }
        }
        lostTransaction = false
        wasInTransaction = false
    }

    /// Starts `COPY … FROM STDIN` on this connection (the bulk loaders).
    func copy(_ sql: String) throws -> PostgresCopy {
        try flushDeferred()
        let connection = try usableConnection()
        defer { noteTransactionState() }
        return try connection.copy(sql)
    }

    public func prepare(_ sql: String) throws -> any SQLStatement {
        PostgresStatement(database: self, sql: sql)
    }

    /// A statement planned anew at each run instead of prepared once: for set-based statements
    /// run once per batch, whose tables grow within a session (a bulk load). A plan kept from
    /// when a table was nearly empty would read it in full per row once it is not.
    public func planningEachRun(_ sql: String) -> any SQLStatement {
        PostgresStatement(database: self, sql: sql, isPrepared: false)
    }

    /// Runs `statement` with its bound values; the whole result.
    func run(_ statement: PostgresStatement) throws -> PostgresResult {
        if let answered = try runBehindDeferred(statement) { return answered }
        try flushDeferred()
        let connection = try usableConnection()
        defer { noteTransactionState() }
        guard statement.isPrepared else { return try connection.execute(statement.sql, statement.parameters) }
        return try connection.executePrepared(try preparedName(of: statement), statement.parameters, sql: statement.sql)
    }

    /// The server's name for `statement` with its parameters' types, prepared now if needed
    /// (outside any pipeline: a failed prepare must not leave a name behind).
    private func preparedName(of statement: PostgresStatement) throws -> String {
        let key = PreparedKey(sql: statement.sql, types: statement.parameters.map(\.type))
        if let known = prepared[key] { return known }
        try flushDeferred()
        if prepared.count >= Self.preparedLimit {
            try connection.execute("DEALLOCATE ALL")
            prepared.removeAll()
        }
        statementsPrepared += 1
        let name = "herald_\(statementsPrepared)"
        try usableConnection().prepare(name, statement.sql, types: key.types)
        prepared[key] = name
        return name
    }

    // MARK: Deferred results

    /// How deep `withDeferredResults` calls are nested.
    private var deferring = 0
    /// One entry per statement sent and not yet answered: what to do with its result.
    private var deferredHandlers: [((PostgresResult) -> Void)?] = []

    /// Statements run for their effect alone (`run`, whose count of changed rows is then 0)
    /// are sent without waiting for their answers — libpq's pipeline mode — and the answers
    /// read when `body` ends, or before anything that reads rows: a batch of outcomes costs one
    /// round trip instead of one per statement. The first failure is thrown at that point.
    public func withDeferredResults<Result>(_ body: () throws -> Result) throws -> Result {
        deferring += 1
        defer { deferring -= 1 }
        do {
            let result = try body()
            if deferring == 1 { try flushDeferred() }
            return result
        } catch {
            if deferring == 1 { try? flushDeferred() }
            throw error
        }
    }

    /// `run()` of a statement: sent without waiting inside `withDeferredResults` (0 changes
    /// then), else run and its changed rows counted.
    func runForEffect(_ statement: PostgresStatement) throws -> Int {
        guard deferring > 0, statement.isPrepared else { return try run(statement).changes }
        try send(statement, then: nil)
        return 0
    }

    /// `runDeferred` of a statement: sent now, `handle` given its result when the answers are
    /// next read — before the next statement that waits for one (which travels in the same
    /// round trip), a commit, or `COPY`.
    func runDeferred(_ statement: PostgresStatement, then handle: @escaping (PostgresResult) -> Void) throws {
        guard statement.isPrepared else { return handle(try run(statement)) }
        try send(statement, then: handle)
    }

    private func send(_ statement: PostgresStatement, then handle: ((PostgresResult) -> Void)?) throws {
        let name = try preparedName(of: statement)
        try usableConnection().sendPrepared(name, statement.parameters, sql: statement.sql)
        deferredHandlers.append(handle)
        // Answers pile up in the server's socket while none is read: a few hundred at most.
        if deferredHandlers.count >= Self.deferredLimit { try flushDeferred() }
    }

    private static let deferredLimit = 256

    private func flushDeferred() throws {
        guard !deferredHandlers.isEmpty else { return }
        let handlers = deferredHandlers
        deferredHandlers.removeAll(keepingCapacity: true)
        defer { noteTransactionState() }
        try connection.collectPipeline { index, result in
            if handlers.indices.contains(index) { handlers[index]?(result) }
        }
    }

    /// A prepared statement that waits for its rows, sent behind the statements still
    /// unanswered: one round trip reads their answers and its own.
    private func runBehindDeferred(_ statement: PostgresStatement) throws -> PostgresResult? {
        guard !deferredHandlers.isEmpty, statement.isPrepared else { return nil }
        let name = try preparedName(of: statement)
        guard !deferredHandlers.isEmpty else { return nil }   // preparing it read them
        var own: PostgresResult?
        try connection.sendPrepared(name, statement.parameters, sql: statement.sql)
        deferredHandlers.append { own = $0 }
        try flushDeferred()
        guard let own else { throw UnexpectedResultError(statement: String(statement.sql.prefix(80)), expected: "its answer") }
        return own
    }

    /// The session that took the evaluator lock (nil: none). A new session after a
    /// reconnect no longer holds it: the server freed it with the old one.
    private var evaluatorLockSession: Int?

    /// A session-level advisory lock: the server frees it when the connection ends — a worker
    /// killed, or cut off by the network — and another worker's next try takes it.
    public func holdEvaluatorLock() throws -> Bool {
        let connection = try usableConnection()
        if evaluatorLockSession == session { return true }
        // Taken again only when not held: a session's advisory locks stack.
        let taken = try connection.query("SELECT pg_try_advisory_lock(\(Self.evaluatorLockKey))").first?.first
        guard taken == "t" else { return false }
        evaluatorLockSession = session
        return true
    }

    /// The evaluator lock's key: "herald/evaluator" in no particular encoding, any constant will do.
    static let evaluatorLockKey: Int64 = 0x6865_7261_6c64_0001

    /// Through a cursor held across commits (`WITH HOLD`): the rows are those of the moment
    /// it is declared, kept by the server (on disk past `work_mem`), fetched a page at a time.
    public func forEachPage(of sql: String, _ parameters: [SQLValue], pageSize: Int,
                            readRow: (any SQLStatement) throws -> Void, pageDone: () throws -> Void) throws {
        let query = PostgresStatement(database: self, sql: sql)
        try query.bind(parameters)
        cursorsDeclared += 1
        let cursor = "herald_pages_\(cursorsDeclared)"
        try flushDeferred()
        _ = try usableConnection().execute("DECLARE \(cursor) NO SCROLL CURSOR WITH HOLD FOR " + query.sql,
                                           query.parameters)
        noteTransactionState()
        defer {
            // A held cursor outlives a failed transaction; it cannot be closed inside one.
            if connection.isBroken || (try? connection.execute("CLOSE \(cursor)")) == nil {
                cursorsToClose.append(cursor)
            }
            noteTransactionState()
        }
        let size = max(1, pageSize)
        let fetch = PostgresStatement(database: self, sql: "FETCH FORWARD \(size) FROM \(cursor)", isPrepared: false)
        while true {
            var rows = 0
            while try fetch.step() {
                rows += 1
                try readRow(fetch)
            }
            fetch.reset()
            try pageDone()
            if rows < size { return }
        }
    }
}
