import Foundation
import HeraldCore

/// The member store over one SQL connection (`MemberStore`): the embedded SQLite file or a
/// PostgreSQL database. Every part it hands out — importer, ingester, candidate queries,
/// outbox writer and queue, reports — is written once against `SQLDatabase`; the two
/// backends differ only below it, and in how they bulk-load (`PostgresMemberImporter`).
/// One instance is one connection.
@_spi(StoreSQL) public final class SQLStore: MemberStore {
    @_spi(StoreSQL) public let database: any SQLDatabase
    /// Candidates read at a time: the memory bound of a tick (tests make it small to cross many pages).
    @_spi(StoreSQL) public var candidatePageSize = 1_000
    /// How sensitive text is sealed and opened when the store has keys (`attach`); nil: stored as given.
    var cipher: StoreCipher?
    /// Through the UNIQUE index on link_token: one probe per redirect (prepared on first use;
    /// a failed prepare is tried again next time).
    private var preparedTrackedLink: (any SQLStatement)?
    /// Through the UNIQUE indexes on link_token and coupon_code.
    private lazy var issuedCode = Result {
        try database.prepare("""
            SELECT EXISTS (SELECT 1 FROM outbox WHERE link_token = ?1)
                OR EXISTS (SELECT 1 FROM outbox WHERE coupon_code = ?1)
            """)
    }

    /// A store on `database`, which is already at the current schema (the backends' own
    /// initializers open, create and migrate).
    init(database: any SQLDatabase) {
        self.database = database
    }

    var dialect: SQLDialect { database.dialect }

    func trackedLinkStatement() throws -> any SQLStatement {
        if let preparedTrackedLink { return preparedTrackedLink }
        let statement = try database.prepare("""
            SELECT m.id, o.link_targets FROM outbox o JOIN members m ON m.key = o.member_key WHERE o.link_token = ?
            """)
        preparedTrackedLink = statement
        return statement
    }

    public func isSendCodeIssued(_ code: String) throws -> Bool {
        let statement = try issuedCode.get()
        try statement.bind([.text(code)])
        defer { statement.reset() }
        return try statement.step() && statement.integer(at: 0) == 1
    }

    public func holdEvaluatorLock() throws -> Bool { try database.holdEvaluatorLock() }

    public func serverClock() throws -> Date? {
        guard dialect == .postgres else { return nil }
        return try database.scalarText("SELECT CAST(extract(epoch FROM clock_timestamp()) AS TEXT)")
            .flatMap(Double.init).map(Date.init(timeIntervalSince1970:))
    }

    /// Whether a provider has reported any address unreachable: planning probes the list
    /// per candidate only then.
    public func hasSuppressedAddresses() throws -> Bool {
        try database.scalarInteger("SELECT EXISTS (SELECT 1 FROM address_suppressions)") == 1
    }
}
