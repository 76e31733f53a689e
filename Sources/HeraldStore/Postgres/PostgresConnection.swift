import CPostgres
import Foundation

/// One connection to PostgreSQL through libpq (issue 16's foundation): statements with
/// parameters sent apart from the SQL text (`PQexecParams`, text format), rows read as text,
/// every failure a `PostgresError` with the server's SQLSTATE.
///
/// One connection belongs to one task at a time, as `SQLiteDatabase` does; open another for
/// concurrent work. Not covered yet: binary results, COPY, pipelining, TLS options beyond what
/// the URL's own `sslmode` says.
@_spi(StoreSQL) public final class PostgresConnection {
    private let handle: OpaquePointer

    /// Connects to `url` (`postgresql://user@host:port/database?…`, libpq's syntax); the
    /// error never holds the URL's password.
    public init(url: String) throws {
        guard let handle = PQconnectdb(url) else {
            throw PostgresError(state: nil, message: "libpq could not allocate a connection")
        }
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(handle)).trimmingCharacters(in: .whitespacesAndNewlines)
            PQfinish(handle)
            throw PostgresError(state: nil, message: "cannot connect to \(Self.redacted(url)): \(message)")
        }
        self.handle = handle
    }

    deinit { PQfinish(handle) }

    /// Runs `sql` with `parameters` as `$1`, `$2`, … (nil is NULL); the rows it returns, each
    /// column as text (nil for NULL).
    @discardableResult
    public func query(_ sql: String, _ parameters: [String?] = []) throws -> [[String?]] {
        // The parameters' bytes must live through the call: strdup'ed, freed after.
        let copies: [UnsafeMutablePointer<CChar>?] = parameters.map { $0.flatMap { strdup($0) } }
        defer { copies.forEach { free($0) } }
        let values = copies.map { UnsafePointer($0) }
        let result = values.withUnsafeBufferPointer { pointers in
            PQexecParams(handle, sql, Int32(parameters.count), nil, pointers.baseAddress, nil, nil, 0)
        }
        guard let result else {
            throw PostgresError(state: nil, message: String(cString: PQerrorMessage(handle)))
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            return []
        case PGRES_TUPLES_OK:
            var rows: [[String?]] = []
            let columns = PQnfields(result)
            for row in 0..<PQntuples(result) {
                rows.append((0..<columns).map { column in
                    PQgetisnull(result, row, column) == 1 ? nil : String(cString: PQgetvalue(result, row, column))
                })
            }
            return rows
        default:
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            let message = String(cString: PQresultErrorMessage(result)).trimmingCharacters(in: .whitespacesAndNewlines)
            throw PostgresError(state: state, message: "\(message) (running \(sql.prefix(80)))")
        }
    }

    /// `url` with its password replaced by `***`, for messages.
    static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = "***"
        return components.string ?? "the database"
    }
}
