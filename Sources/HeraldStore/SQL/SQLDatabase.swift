import Foundation
import HeraldCore

/// One connection to the store's database, SQLite or PostgreSQL: what the store's SQL is
/// written against, once for both. The differences that SQL text cannot hide are in
/// `dialect`; the differences of the connection itself (how rows stream, what a write
/// transaction starts with, reconnecting) are in the two implementations.
///
/// One connection belongs to one task at a time (it is not `Sendable`); open another for
/// concurrent work.
@_spi(StoreSQL) public protocol SQLDatabase: AnyObject {
    var dialect: SQLDialect { get }
    /// What opens another connection to the same store (its description never holds a password).
    var location: StoreLocation { get }
    /// Opened for reading only: every write fails.
    var isReadOnly: Bool { get }
    /// How deep `withTransaction` calls are nested on this connection (0: none open); kept by
    /// `withTransaction` alone.
    var transactionDepth: Int { get set }

    /// Runs one or more statements that take no parameters and return no rows (schema, settings).
    func execute(_ sql: String) throws
    func prepare(_ sql: String) throws -> any SQLStatement

    /// Runs `sql` and hands its rows to `readRow` a page of `pageSize` at a time, calling
    /// `pageDone` after each page: no read of the store is open then, so `pageDone` may write
    /// through this connection (the outbox writer commits while candidates still come) and
    /// memory stays flat however many rows match. The rows are those of one snapshot, taken
    /// when the call starts.
    func forEachPage(of sql: String, _ parameters: [SQLValue], pageSize: Int,
                     readRow: (any SQLStatement) throws -> Void, pageDone: () throws -> Void) throws

    /// Whether this connection holds the store's evaluator lock: taken when no other
    /// connection holds it (false then), kept while this connection lives, and freed by the
    /// system when its process dies — so exactly one worker evaluates at a time, and another
    /// takes over at its next tick when the holder is gone.
    func holdEvaluatorLock() throws -> Bool

    /// Runs `body`, whose statements run for their effect alone (`run`, ignoring the count it
    /// returns, which may then be 0) need not be answered one by one: PostgreSQL sends them
    /// without waiting and reads the answers at the end; SQLite, in-process, just runs them.
    /// The first failure is thrown by the end at the latest.
    func withDeferredResults<Result>(_ body: () throws -> Result) throws -> Result
}

extension SQLDatabase {
    /// Whether `withTransaction` has a transaction open on this connection: work that batches
    /// its own commits (`BatchedTransaction`) joins it instead. A transaction opened any other
    /// way does not count, so nothing joins one that was left open by mistake.
    public var isInTransaction: Bool { transactionDepth > 0 }

    /// Runs `body` in a write transaction: committed when it returns, rolled back when it throws.
    /// Inside another `withTransaction`, `body` runs in a savepoint of it: a throw rolls back
    /// only what `body` wrote, and the outer transaction decides about the rest.
    @discardableResult
    public func withTransaction<Result>(_ body: () throws -> Result) throws -> Result {
        let savepoint = transactionDepth > 0 ? "herald_\(transactionDepth)" : nil
        try execute(savepoint.map { "SAVEPOINT \($0)" } ?? dialect.beginWrite)
        transactionDepth += 1
        defer { transactionDepth -= 1 }
        do {
            let result = try body()
            try execute(savepoint.map { "RELEASE \($0)" } ?? "COMMIT")
            return result
        } catch {
            if let savepoint {
                try? execute("ROLLBACK TO \(savepoint); RELEASE \(savepoint)")
            } else {
                try? execute("ROLLBACK")
            }
            throw error
        }
    }

    /// The first column of the first row, for one-off questions (`SELECT count(*) …`).
    public func scalarInteger(_ sql: String, _ values: SQLValue...) throws -> Int64? {
        let statement = try prepare(sql)
        try statement.bind(values)
        guard try statement.step() else { return nil }
        return statement.integer(at: 0)
    }

    /// The first column of the first row as text.
    public func scalarText(_ sql: String, _ values: SQLValue...) throws -> String? {
        let statement = try prepare(sql)
        try statement.bind(values)
        guard try statement.step() else { return nil }
        return statement.text(at: 0)
    }
}
