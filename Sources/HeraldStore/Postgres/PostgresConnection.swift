import CPostgres
import Foundation
import HeraldCore

/// One connection to PostgreSQL through libpq: statements with parameters sent apart from
/// the SQL text, rows read as text, every failure a `PostgresError` with the server's SQLSTATE
/// and never the URL's password. `PostgresDatabase` builds the store's connection on it;
/// tests and the benchmark use it directly.
///
/// One connection belongs to one task at a time; open another for concurrent work.
@_spi(StoreSQL) public final class PostgresConnection {
    let handle: OpaquePointer
    private let url: String
    /// The URL with its password replaced, for messages.
    public let redactedURL: String

    /// Settings every Herald connection starts with, before the URL's own (which win): the
    /// client speaks UTF-8 whatever the server's locale, names itself in `pg_stat_activity`,
    /// gives up connecting after 10 s, and notices a dead peer within about a minute.
    static let defaults: [(String, String)] = [
        ("client_encoding", "UTF8"), ("application_name", "herald"), ("connect_timeout", "10"),
        ("keepalives", "1"), ("keepalives_idle", "30"), ("keepalives_interval", "10"), ("keepalives_count", "3"),
    ]

    /// Connects to `url` (`postgresql://user@host:port/database?…`, libpq's syntax, or
    /// `key=value` pairs).
    public init(url: String) throws {
        self.url = url
        redactedURL = StoreLocation.redacted(url)
        let settings = Self.defaults + [("dbname", url)]
        // libpq reads keyword/value arrays; `dbname` holding a URL is expanded (expand_dbname),
        // and what it says overrides the defaults listed before it.
        let keywords = settings.map { strdup($0.0) }, values = settings.map { strdup($0.1) }
        defer { (keywords + values).forEach { free($0) } }
        let connection = (keywords.map { UnsafePointer($0) } + [nil]).withUnsafeBufferPointer { keywordList in
            (values.map { UnsafePointer($0) } + [nil]).withUnsafeBufferPointer { valueList in
                PQconnectdbParams(keywordList.baseAddress, valueList.baseAddress, 1)
            }
        }
        guard let connection else {
            throw PostgresError(state: nil, message: "libpq could not allocate a connection")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            // libpq may quote the URL it could not read: the password never reaches a message.
            let message = StoreLocation.redacted(Self.message(PQerrorMessage(connection)), passwordsOf: url)
            PQfinish(connection)
            throw PostgresError(state: nil, message: "cannot connect to \(redactedURL): \(message)",
                                isConnectionLost: true)
        }
        handle = connection
    }

    deinit { PQfinish(handle) }

    /// Whether the connection is broken (the server went away, the network dropped it).
    public var isBroken: Bool { PQstatus(handle) == CONNECTION_BAD }

    /// Whether the session has a transaction open, as libpq knows after the last command;
    /// nil when it cannot tell (the connection is broken).
    var isInTransaction: Bool? {
        switch PQtransactionStatus(handle) {
        case PQTRANS_IDLE: false
        case PQTRANS_INTRANS, PQTRANS_INERROR, PQTRANS_ACTIVE: true
        default: nil
        }
    }

    /// Connects again with the same settings; the server forgets the session (prepared
    /// statements, cursors, locks). Throws when the server cannot be reached.
    public func reconnect() throws {
        PQreset(handle)
        guard PQstatus(handle) == CONNECTION_OK else {
            throw PostgresError(state: nil, message: "cannot reconnect to \(redactedURL): "
                + StoreLocation.redacted(Self.message(PQerrorMessage(handle)), passwordsOf: url),
                isConnectionLost: true)
        }
    }

    /// The server process serving this connection (what `pg_terminate_backend` takes).
    public var serverProcessID: Int32 { PQbackendPID(handle) }

    /// Runs `sql` (one or more statements, no parameters); the last one's result.
    @discardableResult
    public func execute(_ sql: String) throws -> PostgresResult {
        try check(PQexec(handle, sql), sql)
    }

    /// Runs `sql` with `parameters` as `$1`, `$2`, … (nil is NULL; the server infers each
    /// one's type); the rows it returns, each column as text (nil for NULL).
    @discardableResult
    public func query(_ sql: String, _ parameters: [String?] = []) throws -> [[String?]] {
        try execute(sql, parameters.map { PostgresParameter(text: $0, type: 0) }).rows
    }

    /// Runs `sql` with typed parameters, parsed and planned for this call only.
    public func execute(_ sql: String, _ parameters: [PostgresParameter]) throws -> PostgresResult {
        try withParameters(parameters) { count, types, values in
            try check(PQexecParams(handle, sql, count, types, values, nil, nil, 0), sql)
        }
    }

    /// Parses and plans `sql` once on the server, as `name`, for `types` (0: the server infers).
    public func prepare(_ name: String, _ sql: String, types: [UInt32]) throws {
        _ = try check(PQprepare(handle, name, sql, Int32(types.count), types), sql)
    }

    /// Runs the statement prepared as `name`.
    public func executePrepared(_ name: String, _ parameters: [PostgresParameter], sql: String) throws
        -> PostgresResult {
        try withParameters(parameters) { count, _, values in
            try check(PQexecPrepared(handle, name, count, values, nil, nil, 0), sql)
        }
    }

    // MARK: Pipeline mode

    /// Sends the statement prepared as `name` without waiting for its answer (pipeline mode,
    /// entered on the first one); `collectPipeline()` reads the answers.
    func sendPrepared(_ name: String, _ parameters: [PostgresParameter], sql: String) throws {
        if PQpipelineStatus(handle) == PQ_PIPELINE_OFF, PQenterPipelineMode(handle) != 1 {
            throw PostgresError(state: nil,
                                message: "cannot enter pipeline mode: " + Self.message(PQerrorMessage(handle)))
        }
        let sent = try withParameters(parameters) { count, _, values in
            PQsendQueryPrepared(handle, name, count, values, nil, nil, 0)
        }
        guard sent == 1 else {
            throw PostgresError(state: nil,
                                message: "\(Self.message(PQerrorMessage(handle))) (sending \(sql.prefix(80)))",
                                isConnectionLost: isBroken)
        }
    }

    /// Ends a pipeline: reads every answer up to the sync point, hands each statement's
    /// result to `each` in the order they were sent (0, 1, …), and leaves pipeline mode;
    /// throws the first statement's error (the ones after it did not run, and are not handed).
    func collectPipeline(_ each: (Int, PostgresResult) -> Void = { _, _ in }) throws {
        guard PQpipelineStatus(handle) != PQ_PIPELINE_OFF else { return }
        guard PQpipelineSync(handle) == 1 else {
            throw PostgresError(state: nil, message: "pipeline: " + Self.message(PQerrorMessage(handle)),
                                isConnectionLost: isBroken)
        }
        var failure: (any Error)?
        var index = 0
        while true {
            // A NULL ends each statement's answer; the sync point ends them all.
            guard let result = PQgetResult(handle) else {
                if isBroken {
                    failure = failure ?? PostgresError(state: nil, message: "the connection was lost in a pipeline: "
                        + Self.message(PQerrorMessage(handle)), isConnectionLost: true)
                    break
                }
                continue
            }
            let status = PQresultStatus(result)
            if status == PGRES_PIPELINE_SYNC {
                PQclear(result)
                break
            }
            if failure == nil, status != PGRES_PIPELINE_ABORTED {
                do { each(index, try check(result, "a pipelined statement")) } catch { failure = error }
            } else {
                PQclear(result)
            }
            index += 1
        }
        if PQexitPipelineMode(handle) != 1, failure == nil {
            failure = PostgresError(state: nil,
                                    message: "cannot leave pipeline mode: " + Self.message(PQerrorMessage(handle)),
                                    isConnectionLost: isBroken)
        }
        if let failure { throw failure }
    }

    /// The parameters as libpq takes them: their count, types and text, valid during `body`.
    private func withParameters<Result>(
        _ parameters: [PostgresParameter],
        _ body: (Int32, UnsafePointer<UInt32>?, UnsafePointer<UnsafePointer<CChar>?>?) throws -> Result
    ) throws -> Result {
        let copies: [UnsafeMutablePointer<CChar>?] = parameters.map { $0.text.flatMap { strdup($0) } }
        defer { copies.forEach { free($0) } }
        let types = parameters.map(\.type)
        let values = copies.map { UnsafePointer($0) }
        return try types.withUnsafeBufferPointer { typeList in
            try values.withUnsafeBufferPointer { valueList in
                try body(Int32(parameters.count), typeList.baseAddress, valueList.baseAddress)
            }
        }
    }

    /// A result that is not an error, or the error it carries (SQLSTATE and message).
    func check(_ result: OpaquePointer?, _ sql: String) throws -> PostgresResult {
        guard let result else {
            throw PostgresError(state: nil, message: Self.message(PQerrorMessage(handle)), isConnectionLost: isBroken)
        }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_EMPTY_QUERY, PGRES_TUPLES_OK, PGRES_COPY_IN:
            return PostgresResult(result)
        default:
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            // The primary message only: DETAIL and CONTEXT quote the row's values (a member's
            // phone in a key violation, a COPY line), which must not reach a log.
            // libpq's own errors (a connection closed under it) have no fields, only a message.
            let message = Self.message(PQresultErrorField(result, Int32(UInt8(ascii: "M")))
                ?? PQresultErrorMessage(result))
            PQclear(result)
            throw PostgresError(state: state, message: "\(message) (running \(sql.prefix(80)))",
                                isConnectionLost: isBroken)
        }
    }

    static func message(_ text: UnsafePointer<CChar>?) -> String {
        text.map { String(cString: $0) }?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "no message"
    }
}
