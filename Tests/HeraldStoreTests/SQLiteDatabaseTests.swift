import Foundation
import HeraldCore
import Synchronization
import Testing
@_spi(StoreSQL) import HeraldTestSupport
@_spi(StoreSQL) @testable import HeraldStore

private struct Boom: Error {}

@Suite struct SQLiteDatabaseTests {
    @Test func errorsCarryCodeMessageAndContext() throws {
        let folder = try TemporaryDirectory()
        let database = try SQLiteDatabase(path: folder.file("t.db"))
        do {
            try database.execute("SELECT * FROM missing_table")
            Issue.record("expected an error")
        } catch let error as SQLiteError {
            #expect(error.code == 1)
            #expect(error.message == "no such table: missing_table")
            #expect(error.description.contains("SELECT * FROM missing_table"))
        }
    }

    @Test func nullColumnsReadAsNil() throws {
        let folder = try TemporaryDirectory()
        let database = try SQLiteDatabase(path: folder.file("t.db"))
        let row = try database.prepare("SELECT NULL, 7, 'x', 2.5")
        #expect(try row.step())
        #expect(row.integer(at: 0) == nil)
        #expect(row.text(at: 0) == nil)
        #expect(row.integer(at: 1) == 7)
        #expect(row.text(at: 2) == "x")
        #expect(row.real(at: 3) == 2.5)
        #expect(try row.step() == false)
    }

    /// A writer that keeps the lock busy for seconds (a large evaluation or import) commits
    /// every quarter second and then stays out for a moment; another connection waiting for the
    /// lock (the dispatcher) looks every millisecond, so it gets in at the next gap instead of
    /// backing off past it until its busy timeout.
    @Test func aLongBatchedWriterLetsAnotherWriterIn() throws {
        let folder = try TemporaryDirectory()
        let path = folder.file("t.db")
        try SQLiteDatabase(path: path).execute("CREATE TABLE t (x INTEGER)")
        let stop = Mutex(false)
        let started = DispatchSemaphore(value: 0), finished = DispatchSemaphore(value: 0)
        let writer = Thread {
            defer { finished.signal() }
            guard let database = try? SQLiteDatabase(path: path),
                  let insert = try? database.prepare("INSERT INTO t VALUES (1)") else { return }
            let batch = BatchedTransaction(database: database, batchSize: Int.max)
            started.signal()
            while !stop.withLock({ $0 }) {
                try? batch.begin()
                _ = try? insert.run()
                try? batch.unitDone()
            }
            try? batch.commit()
        }
        writer.start()
        defer {
            // However the test ends, the writer stops before its folder goes.
            stop.withLock { $0 = true }
            _ = finished.wait(timeout: .now() + 10)
        }
        #expect(started.wait(timeout: .now() + 10) == .success, "the busy writer did not start within 10 s")
        let other = try SQLiteDatabase(path: path)
        var waits: [Double] = []
        for _ in 0..<8 {
            let asked = ContinuousClock.now
            try other.withTransaction { try other.execute("INSERT INTO t VALUES (2)") }
            waits.append((ContinuousClock.now - asked).inSeconds)
        }
        // At most one batch (0.25 s) apart; 2 s leaves room for a loaded machine, far below the
        // 5 s timeout the old back-off kept running into.
        #expect(waits.max()! < 2, "waits for the lock: \(waits)")
    }

    @Test func transactionRollsBackWhenTheBodyThrows() throws {
        let folder = try TemporaryDirectory()
        let database = try SQLiteDatabase(path: folder.file("t.db"))
        try database.execute("CREATE TABLE t (x INTEGER)")
        #expect(throws: Boom.self) {
            try database.withTransaction {
                try database.execute("INSERT INTO t VALUES (1)")
                throw Boom()
            }
        }
        #expect(try database.scalarInteger("SELECT count(*) FROM t") == 0)
        try database.withTransaction { try database.execute("INSERT INTO t VALUES (2)") }
        #expect(try database.scalarInteger("SELECT count(*) FROM t") == 1)
    }

    /// A transaction inside another is a savepoint: its throw undoes only its own writes, and
    /// the outer one commits the rest. A transaction left open by other means is not joined.
    @Test func aNestedTransactionIsASavepoint() throws {
        let folder = try TemporaryDirectory()
        let database = try SQLiteDatabase(path: folder.file("t.db"))
        try database.execute("CREATE TABLE t (x INTEGER)")
        try database.withTransaction {
            try database.execute("INSERT INTO t VALUES (1)")
            #expect(throws: Boom.self) {
                try database.withTransaction {
                    try database.execute("INSERT INTO t VALUES (2)")
                    throw Boom()
                }
            }
            try database.withTransaction { try database.execute("INSERT INTO t VALUES (3)") }
        }
        let rows = try database.prepare("SELECT group_concat(x) FROM (SELECT x FROM t ORDER BY x)")
        #expect(try rows.step() && rows.text(at: 0) == "1,3")
        try database.execute("BEGIN")
        #expect(!database.isInTransaction)
        #expect(throws: SQLiteError.self) { try database.withTransaction {} }
        try database.execute("ROLLBACK")
    }

    @Test func writeTransactionsTakeTheLockAtBegin() throws {
        let folder = try TemporaryDirectory()
        let writer = try SQLiteDatabase(path: folder.file("t.db"))
        let other = try SQLiteDatabase(path: folder.file("t.db"), busyTimeoutMilliseconds: 0)
        try writer.execute("CREATE TABLE t (x INTEGER)")
        try writer.withTransaction {
            // BEGIN IMMEDIATE holds the write lock before any write: a second writer is refused at BEGIN…
            #expect(throws: SQLiteError.self) { try other.execute("BEGIN IMMEDIATE") }
            // …while WAL still lets it read.
            let visible = try other.scalarInteger("SELECT count(*) FROM t")
            #expect(visible == 0)
        }
    }

    @Test func opensInWALModeWithForeignKeys() throws {
        let folder = try TemporaryDirectory()
        let database = try SQLiteDatabase(path: folder.file("t.db"))
        let mode = try database.prepare("PRAGMA journal_mode")
        #expect(try mode.step())
        #expect(mode.text(at: 0) == "wal")
        #expect(try database.scalarInteger("PRAGMA foreign_keys") == 1)
    }

    @Test func statementsAreReusableAndBindingsCleared() throws {
        let folder = try TemporaryDirectory()
        let database = try SQLiteDatabase(path: folder.file("t.db"))
        try database.execute("CREATE TABLE t (a TEXT, b INTEGER)")
        let insert = try database.prepare("INSERT INTO t VALUES (?, ?)")
        #expect(try insert.run("x", 1) == 1)
        try insert.bind("y", at: 1)
        try insert.step()
        insert.reset()
        #expect(try database.scalarInteger("SELECT count(*) FROM t WHERE a = 'y' AND b IS NULL") == 1)
    }
}
