import Foundation
import HeraldCore

/// Everything the rest of Herald asks of the member store (issue 13's boundary): the worker
/// and the commands see this protocol and the ones it hands out, never SQL or a database
/// handle. `StoreFactory` opens one from the config's `store`; `SQLStore` is the embedded
/// implementation, and a PostgreSQL one plugs in beside it.
///
/// One instance is one connection: it belongs to one task at a time (not `Sendable`). Open
/// another for concurrent work (`StoreFactory.open(store.location)`).
public protocol MemberStore: AnyObject {
    /// Where this store lives: what opens another connection to it.
    var location: StoreLocation { get }

    // MARK: Members and events

    func makeMemberImporter(defaultTimeZone: TimeZone, batchSize: Int) throws -> any MemberImporter
    func makeEventIngester(defaultTimeZone: TimeZone, clock: any WallClock, batchSize: Int) throws -> any EventIngester
    /// The member with `id` and the state ingest derived; nil when the store does not know it.
    func member(id: String) throws -> MemberSnapshot?

    // MARK: Evaluation

    /// Hands each candidate of `request`'s trigger to `body`, one at a time (memory stays flat
    /// however many match), in the order SPEC 2.1 needs: members by id, a member's events by time.
    /// `body` may write through this connection (the outbox writer does) as it goes.
    func forEachCandidate(_ request: CandidateRequest, zones: TimeZoneResolver,
                          _ body: (TriggerCandidate) throws -> Void) throws
    /// The send history the policy asks (duplicates, caps), as this connection sees it —
    /// its own uncommitted writes included.
    func makeSendHistory() throws -> any SendHistory
    /// A writer for the evaluation at `instant`, on this connection.
    func makeOutboxWriter(at instant: Date) throws -> any OutboxWriter
    /// RFM's quintile cut points at `instant`, over every member who bought in the year before
    /// (asked once per evaluation, only when some audience reads `rfm.*`).
    func rfmScores(at instant: Date) throws -> RFMScores
    /// Whether any address is on the suppression list: candidate queries probe it only then.
    func hasSuppressedAddresses() throws -> Bool
    /// Whether a send already carries `code` as its link token or coupon (codes are drawn
    /// again rather than collide), uncommitted writes on this connection included.
    func isSendCodeIssued(_ code: String) throws -> Bool

    /// Whether this connection is the store's one evaluator (several `herald run` on one
    /// store): it takes the role when no other connection holds it, and keeps it while the
    /// connection lives; when its process dies, the system frees the role and another worker
    /// takes it at its next tick.
    func holdEvaluatorLock() throws -> Bool
    /// The database server's clock, where the store has one of its own (PostgreSQL; nil for
    /// SQLite): workers on several machines compare leases with their own clocks, which must
    /// agree with each other (`herald run` warns when this one is off by seconds).
    func serverClock() throws -> Date?

    // MARK: Delivery

    /// The outbox as one worker's dispatcher (and the operator's commands) see it.
    func makeOutboxQueue(owner: String) throws -> any OutboxQueue
    /// Sends of `provider` accepted since `since` whose receipt has not come: what a
    /// provider's receipt pull asks about, oldest first.
    func sendsAwaitingReceipt(provider: String, since: Date, limit: Int) throws -> [PendingReceipt]

    // MARK: The HTTP edge

    /// The send whose link token is `token`; nil when no send has it.
    func trackedLink(token: String) throws -> TrackedLink?
    /// An opt-out reply from `phone` (E.164), committed before it returns (in one transaction): the number goes on
    /// the address suppression list (planning and the re-check before each call honour it at
    /// once) and every member with that number gets an `opt_out` sms event (consent `no`).
    /// `keyword` is the opt-out word matched (`OptOutReply.keywords`), recorded in the
    /// suppression's reason; the reply's own text is never stored. Returns the ids of those members.
    func applyOptOutReply(phone: String, keyword: String, at: Date, provider: String) throws -> [String]
    /// `opt_out` events on `channel` for `memberIDs`, committed before it returns (an e-mail
    /// unsubscribe, a reply). `source` names where they came from, in the events' ids.
    func optOut(memberIDs: [String], channel: ChannelKind, at: Date, source: String) throws

    // MARK: Erasure (PIPL)

    /// Erases what identifies the member with `id`, in one transaction committed when it
    /// returns: name, addresses, birthday, tags, the member id itself (replaced by a random
    /// `erased:<uuid>`), free-text event attributes, and the address and text of their messages;
    /// pending sends are cancelled. Anonymous rows stay, so past reports stay whole. With
    /// `suppress`, the addresses go on the suppression list first (then they stay stored, as
    /// "never contact" needs). nil when the store has no member with `id`.
    func forgetMember(id: String, suppress: Bool, at: Date) throws -> ErasureReceipt?
    /// Clears the messages of erased members that still hold an address or text: rows that
    /// were being sent when their member was erased, or planned by a tick that read the member
    /// just before. Returns how many.
    func clearMessagesOfErasedMembers() throws -> Int
    /// Everything stored about the member with `id`, table by table, as stored (addresses
    /// unmasked: it is the member's own data); nil when the store has no such member.
    func exportMember(id: String) throws -> MemberExport?
    /// Makes what erasure overwrote unreadable in the store's files too, where the backend can
    /// (SQLite: the write-ahead log checkpointed and truncated); false when a reader kept it from finishing.
    func purgeErasedData() throws -> Bool

    // MARK: The address suppression list

    /// Puts `addresses` on the suppression list, committed when it returns (planning and the
    /// re-check before each call honour it at once); an address already on it keeps its first
    /// entry. Returns how many were new.
    func suppress(_ addresses: [SuppressibleAddress], reason: String, at: Date) throws -> Int
    /// Takes `addresses` off the list, committed when it returns; how many were on it.
    func unsuppress(_ addresses: [SuppressibleAddress]) throws -> Int
    /// The list's entries of `kind` (nil: every kind), or only those for `addresses` when
    /// given, oldest first, one at a time (memory stays flat however long the list).
    func forEachSuppressedAddress(kind: ChannelKind?, only addresses: [SuppressibleAddress],
                                  _ body: (AddressSuppression) throws -> Void) throws

    // MARK: Retention

    /// Deletes the rows `policy` no longer keeps at `now`, `batchSize` rows a transaction and
    /// at most `maxBatches` of them (`herald run`'s sweep).
    func applyRetention(_ policy: RetentionPolicy, now: Date, batchSize: Int, maxBatches: Int) throws -> RetentionReport

    // MARK: Encryption at rest

    /// Re-seals every value under the current key, `batchSize` rows a transaction
    /// (`herald store rekey`); `progress` hears of each batch.
    func rekey(batchSize: Int, progress: (StoreRekeyReport) -> Void) throws -> StoreRekeyReport
    /// The id of the key new values are sealed under; nil for a store without keys.
    var encryptionKeyID: String? { get }

    // MARK: The audit log

    /// Appends one operator action to the audit log, committed when it returns.
    func appendAudit(actor: String, action: String, detail: String, at: Date) throws
    /// The log's entries from `since`, of `actor` when given, oldest first, one at a time.
    func forEachAuditEntry(since: Date?, actor: String?, _ body: (AuditEntry) throws -> Void) throws
    /// Reads the whole chain and checks every entry's hash and link.
    func verifyAuditLog() throws -> AuditVerification

    // MARK: Provider tokens

    /// The access token kept under `key` (`wechat:<app id>`), nil when none is kept.
    func sharedToken(for key: String) throws -> SharedToken?
    /// Keeps `token` under `key` for every worker on this store, committed when it returns.
    func saveSharedToken(_ token: SharedToken, for key: String, at: Date) throws

    // MARK: Transactions

    /// Runs `body` as one transaction on this connection: committed when it returns, rolled
    /// back when it throws. Everything written through this store meanwhile — its ingesters,
    /// `applyOptOutReply`, `optOut` — joins it instead of committing on its own, so several
    /// callbacks can share one commit (the edge's group commit). Called inside another, it is
    /// a savepoint: its throw undoes only its own writes.
    func withTransaction<Result>(_ body: () throws -> Result) throws -> Result

    // MARK: Reports

    /// The campaign sheet's rows (SPEC 6); `including` lists triggers shown even without sends.
    func campaignReport(_ query: CampaignReportQuery, including triggerIDs: [String]) throws
        -> [CampaignReportRow]
}

extension MemberStore {
    /// An importer committing every 100,000 members (or a quarter second).
    public func makeMemberImporter(defaultTimeZone: TimeZone) throws -> any MemberImporter {
        try makeMemberImporter(defaultTimeZone: defaultTimeZone, batchSize: 100_000)
    }

    /// An ingester committing every 100,000 events (or a quarter second).
    public func makeEventIngester(defaultTimeZone: TimeZone, clock: any WallClock) throws -> any EventIngester {
        try makeEventIngester(defaultTimeZone: defaultTimeZone, clock: clock, batchSize: 100_000)
    }

    /// The campaign sheet with only the triggers that have sends.
    public func campaignReport(_ query: CampaignReportQuery) throws -> [CampaignReportRow] {
        try campaignReport(query, including: [])
    }
}
