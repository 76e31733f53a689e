import Foundation
import HeraldCore

/// `MemberStore` over SQL: each part the protocol hands out is the SQL type on this connection.
extension SQLStore {
    public var location: StoreLocation { database.location }

    /// Row by row on SQLite, where a statement costs no round trip; with COPY and set-based
    /// statements on PostgreSQL, where it does.
    public func makeMemberImporter(defaultTimeZone: TimeZone, batchSize: Int) throws -> any MemberImporter {
        if let postgres = database as? PostgresDatabase {
            return PostgresMemberImporter(store: self, database: postgres, defaultTimeZone: defaultTimeZone,
                                          batchSize: batchSize)
        }
        return try SQLMemberImporter(store: self, defaultTimeZone: defaultTimeZone, batchSize: batchSize)
    }

    public func makeEventIngester(defaultTimeZone: TimeZone, clock: any WallClock, batchSize: Int) throws
        -> any EventIngester {
        if let postgres = database as? PostgresDatabase {
            return try PostgresEventIngester(database: postgres, defaultTimeZone: defaultTimeZone, clock: clock,
                                             batchSize: batchSize)
        }
        return try SQLEventIngester(store: self, defaultTimeZone: defaultTimeZone, clock: clock, batchSize: batchSize)
    }

    public func forEachCandidate(_ request: CandidateRequest, zones: TimeZoneResolver,
                                 _ body: (TriggerCandidate) throws -> Void) throws {
        try CandidateQuery(request, dialect: database.dialect).forEachCandidate(in: self, zones: zones, body)
    }

    public func rfmScores(at instant: Date) throws -> RFMScores { try RFMQuery(instant: instant).scores(in: database) }

    public func makeSendHistory() throws -> any SendHistory { try SQLSendHistory(store: self) }

    public func makeOutboxWriter(at instant: Date) throws -> any OutboxWriter {
        try SQLOutboxWriter(store: self, at: instant)
    }

    public func makeOutboxQueue(owner: String) throws -> any OutboxQueue {
        try SQLOutboxQueue(store: self, owner: owner)
    }

    public func sendsAwaitingReceipt(provider: String, since: Date, limit: Int) throws -> [PendingReceipt] {
        // The partial index outbox_awaiting_receipt (provider, updated_at) WHERE status = 'sent' AND receipt IS NULL.
        let statement = try database.prepare("""
            SELECT provider_id, address, updated_at FROM outbox
            WHERE provider = ? AND status = 'sent' AND receipt IS NULL AND provider_id IS NOT NULL AND updated_at >= ?
            ORDER BY updated_at LIMIT ?
            """)
        try statement.bind([.text(provider), .integer(since.epochSeconds), .integer(Int64(limit))])
        var pending: [PendingReceipt] = []
        while try statement.step() {
            // A receipt query needs the number only with some providers; one that does not open asks with none.
            let address = (try? opened(statement.text(at: 1))) ?? nil
            pending.append(PendingReceipt(providerID: statement.text(at: 0) ?? "", address: address ?? "",
                                          sentAt: statement.instant(at: 2) ?? since))
        }
        return pending
    }

    public func trackedLink(token: String) throws -> TrackedLink? {
        let statement = try trackedLinkStatement()
        try statement.bind([.text(token)])
        defer { statement.reset() }
        guard try statement.step() else { return nil }
        let targets = statement.text(at: 1).map { $0.split(separator: "\n").map(String.init) } ?? []
        return TrackedLink(memberID: statement.text(at: 0) ?? "", targets: targets)
    }

    public func applyOptOutReply(phone: String, keyword: String, at: Date, provider: String) throws -> [String] {
        var members: [String] = []
        // One transaction: the suppression never lands without the members' opt-outs.
        try database.withTransaction {
            // Every form the number may be stored in (more than one only while keys rotate).
            let forms = storedForms(of: phone)
            let writtenForms = try storedFormsForWriting(of: phone)
            let suppress = try database.prepare("""
                INSERT INTO address_suppressions (address, kind, reason, provider, outbox_key, created_at)
                VALUES (?, 'sms', ?, ?, NULL, ?) ON CONFLICT DO NOTHING
                """)
            for form in writtenForms {
                _ = try suppress.run(.text(form), .text("opt-out reply (\(keyword))"), .text(provider), .integer(at.epochSeconds))
            }
            let holders = try database.prepare("SELECT id FROM members WHERE phone IN ("
                                               + Array(repeating: "?", count: forms.count).joined(separator: ", ")
                                               + ") ORDER BY id")
            try holders.bind(forms.map { .text($0) })
            while try holders.step() { members.append(holders.text(at: 0) ?? "") }
            try optOut(memberIDs: members, channel: .sms, at: at, source: "reply-\(provider)")
        }
        return members
    }

    public func optOut(memberIDs: [String], channel: ChannelKind, at: Date, source: String) throws {
        guard !memberIDs.isEmpty else { return }
        // Through the ingester, as `herald ingest` would apply them: consent and its history.
        let lines = memberIDs.map { member in
            JSONOutput.object([
                ("id", .string("\(source)-\(at.epochSeconds)-\(member)")), ("member_id", .string(member)),
                ("type", "opt_out"), ("channel", .string(channel.rawValue)),
                ("at", .string(InstantFormatter.utcString(from: at))),
            ]).rendered()
        }
        let ingester = try makeEventIngester(defaultTimeZone: TimeZone(identifier: "UTC")!, clock: SystemWallClock(),
                                             batchSize: 1_000)
        _ = try ingester.ingest(lines: lines, sink: DiscardingRowSink())
    }

    public func sharedToken(for key: String) throws -> SharedToken? {
        let statement = try database.prepare("SELECT token, expires_at FROM provider_tokens WHERE provider = ?")
        try statement.bind([.text(key)])
        guard try statement.step(), let token = statement.text(at: 0), let expiresAt = statement.instant(at: 1) else {
            return nil
        }
        return SharedToken(token: token, expiresAt: expiresAt)
    }

    public func saveSharedToken(_ token: SharedToken, for key: String, at: Date) throws {
        try database.withTransaction {
            try database.prepare("""
                INSERT INTO provider_tokens (provider, token, expires_at, updated_at) VALUES (?1, ?2, ?3, ?4)
                ON CONFLICT(provider) DO UPDATE SET token = excluded.token, expires_at = excluded.expires_at,
                    updated_at = excluded.updated_at
                """).run(.text(key), .text(token.token), .integer(token.expiresAt.epochSeconds), .integer(at.epochSeconds))
        }
    }

    public func withTransaction<Result>(_ body: () throws -> Result) throws -> Result {
        try database.withTransaction(body)
    }

    public func campaignReport(_ query: CampaignReportQuery, including triggerIDs: [String]) throws
        -> [CampaignReportRow] {
        try query.rows(in: self, including: triggerIDs)
    }
}
