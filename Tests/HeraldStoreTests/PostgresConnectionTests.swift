import Foundation
import Testing
@_spi(StoreSQL) import HeraldStore
@_spi(StoreSQL) import HeraldTestSupport

/// libpq through `PostgresConnection` against a throwaway cluster on loopback (issue 16's
/// foundation): parameters apart from the SQL, NULLs and Chinese text round-trip, errors
/// carry the server's SQLSTATE, and a failed connection never shows the password.
@Suite(.timeLimit(.minutes(2))) struct PostgresConnectionTests {
    @Test func parametersRowsAndErrors() throws {
        let cluster = try TemporaryPostgres()
        let connection = try PostgresConnection(url: cluster.url)
        try connection.query("CREATE TABLE members (id text PRIMARY KEY, name text, points bigint)")
        try connection.query("INSERT INTO members VALUES ($1, $2, $3), ($4, $5, $6)",
                             ["M1", "张三'; DROP TABLE members; --", "1200", "M2", nil, nil])
        let rows = try connection.query("SELECT id, name, points FROM members ORDER BY id")
        #expect(rows == [["M1", "张三'; DROP TABLE members; --", "1200"], ["M2", nil, nil]])
        do {
            try connection.query("INSERT INTO members VALUES ($1, $2, $3)", ["M1", "again", "1"])
            Issue.record("a duplicate key was accepted")
        } catch let error as PostgresError {
            #expect(error.state == "23505" && error.description.hasPrefix("PostgreSQL 23505: "))
        }
        #expect(throws: PostgresError.self) { try connection.query("SELECT * FROM missing_table") }
    }

    /// Writes sent without waiting (`runDeferred`, the evaluation's writer) are answered in
    /// order with the next read, which sees them; a failed one fails the commit, and the
    /// rollback after it still runs.
    @Test func deferredWritesAreAnsweredWithTheNextRead() throws {
        let cluster = try TemporaryPostgres()
        let database = try SQLStore(postgres: try cluster.makeDatabase()).database
        try database.execute("CREATE TABLE deferred_keys (k bigint PRIMARY KEY)")
        let insert = try database.prepare("INSERT INTO deferred_keys VALUES (?1) ON CONFLICT DO NOTHING RETURNING k")
        let count = try database.prepare("SELECT count(*) FROM deferred_keys")
        var answers: [Int64?] = []
        try database.execute("BEGIN")
        for key: Int64 in [7, 8, 7] { try insert.runDeferred([.integer(key)]) { answers.append($0) } }
        #expect(answers.isEmpty, "answered before anything was read")
        #expect(try count.step() && count.integer(at: 0) == 2)
        #expect(answers == [7, 8, nil])
        count.reset()
        let failing = try database.prepare("INSERT INTO deferred_keys VALUES (?1 / 0)")
        try failing.runDeferred([.integer(1)]) { _ in Issue.record("a failed statement was answered") }
        #expect(throws: PostgresError.self) { try database.execute("COMMIT") }
        try database.execute("ROLLBACK")
        #expect(try count.step() && count.integer(at: 0) == 0)
    }

    /// A server that ends the session (a restart, a dropped network) costs the transaction
    /// under way and nothing after it: every statement of that transaction fails until its
    /// rollback — also when the rollback is the first to find the connection gone — and the
    /// next statement reconnects. (A worker that lost its database stayed failing for good
    /// when the rollback came first.)
    @Test(arguments: [false, true]) func aLostConnectionFailsItsTransactionThenReconnects(rollbackFirst: Bool) throws {
        let cluster = try TemporaryPostgres()
        let admin = try PostgresConnection(url: cluster.url)
        let database = try SQLStore(postgres: try cluster.makeDatabase()).database
        func endSession() throws {
            let backend = try database.scalarInteger("SELECT pg_backend_pid()")
            try admin.query("SELECT pg_terminate_backend($1)", [backend.map(String.init)])
        }
        try database.execute("CREATE TABLE lost_keys (k bigint PRIMARY KEY)")
        let insert = try database.prepare("INSERT INTO lost_keys VALUES (?1)")
        // The statement that finds the session gone fails (whether it ran is not known); the next one reconnects.
        try endSession()
        #expect(throws: PostgresError.self) { try database.scalarInteger("SELECT count(*) FROM lost_keys") }
        #expect(try database.scalarInteger("SELECT count(*) FROM lost_keys") == 0)

        try database.execute("BEGIN")
        try insert.run([.integer(1)])
        try endSession()
        if !rollbackFirst {
            #expect(throws: PostgresError.self) { try insert.run([.integer(2)]) }
            #expect(throws: PostgresError.self, "a statement went on in a new session inside the lost transaction") {
                try insert.run([.integer(3)])
            }
        }
        try database.execute("ROLLBACK")
        try insert.run([.integer(4)])
        #expect(try database.scalarInteger("SELECT count(*) FROM lost_keys") == 1, "the lost transaction's row or the new one is missing")
    }

    @Test func aFailedConnectionNamesNoPassword() {
        do {
            _ = try PostgresConnection(url: "postgresql://herald:s3cret@127.0.0.1:1/postgres?connect_timeout=5")
            Issue.record("connected to a closed port")
        } catch {
            #expect(!"\(error)".contains("s3cret") && "\(error)".contains("***"), "\(error)")
        }
    }
}
