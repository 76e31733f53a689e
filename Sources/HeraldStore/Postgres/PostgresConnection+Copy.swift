import CPostgres
import Foundation

extension PostgresConnection {
    /// Starts `COPY … FROM STDIN` on this connection.
    public func copy(_ sql: String) throws -> PostgresCopy {
        try PostgresCopy(connection: self, sql: sql)
    }

    /// Reads the results of what was sent until there are none; throws the first error.
    func drainResults(_ sql: String) throws {
        var failure: (any Error)?
        while let result = PQgetResult(handle) {
            if failure == nil {
                do { _ = try check(result, sql) } catch { failure = error }
            } else {
                PQclear(result)
            }
        }
        if let failure { throw failure }
    }
}
