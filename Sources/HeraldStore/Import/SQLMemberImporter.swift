import Foundation
import HeraldCore

/// Streams members from CSV or NDJSON into the store: upsert by id, in batched
/// transactions, each bad row reported to the sink while the good rows land.
///
/// A column absent from the file keeps the stored value; a present, empty one clears it.
/// A row identical to the stored member changes nothing and counts as a duplicate, so
/// re-importing a file leaves the store as it was.
@_spi(StoreSQL) public final class SQLMemberImporter: MemberImporter {
    private let store: SQLStore
    private let batchSize: Int
    private var decoder: MemberRecordDecoder
    private var upserts: [MemberFieldSet: any SQLStatement] = [:]
    private let deleteTags: any SQLStatement
    private let insertTag: any SQLStatement
    private let upsertState: any SQLStatement
    private let upsertStateWithBalance: any SQLStatement
    private let setStoredValue: any SQLStatement
    private var changedRows = 0

    public init(store: SQLStore, defaultTimeZone: TimeZone, batchSize: Int = 100_000) throws {
        self.store = store
        deleteTags = try store.database.prepare("DELETE FROM member_tags WHERE member_key = ?")
        let dialect = store.database.dialect
        insertTag = try store.database.prepare("""
            INSERT INTO member_tags (member_key, tag) VALUES (?, ?) ON CONFLICT DO NOTHING
            """)
        upsertState = try store.database.prepare(Self.stateUpsertSQL(settingBalance: false, dialect))
        upsertStateWithBalance = try store.database.prepare(Self.stateUpsertSQL(settingBalance: true, dialect))
        setStoredValue = try store.database.prepare("""
            UPDATE member_state SET stored_value = ?1, imported_stored_value = ?1
            WHERE member_key = (SELECT key FROM members WHERE id = ?2)
                AND \(dialect.isDistinct("imported_stored_value", "?1"))
            """)
        self.batchSize = batchSize
        self.decoder = MemberRecordDecoder(defaultTimeZone: defaultTimeZone)
    }

    /// Throws `Diagnostic` for a file that cannot be imported at all (bad header), and
    /// `InputError` / `SQLiteError` for I/O; row problems go to `sink` instead.
    public func importMembers(from lines: LineReader, format: MemberFileFormat, sink: any RejectedRowSink) throws
        -> ImportSummary {
        let countBefore = try store.database.scalarInteger("SELECT count(*) FROM members") ?? 0
        changedRows = 0
        let transaction = BatchedTransaction(database: store.database, batchSize: batchSize)
        var summary = ImportSummary()
        do {
            switch format {
            case .csv: try importCSV(CSVRecordReader(lines: lines), file: lines.path, transaction, &summary, sink)
            case .ndjson: try importNDJSON(lines, transaction, &summary, sink)
            }
            try transaction.commit()
        } catch {
            transaction.abandon()
            throw error
        }
        let countAfter = try store.database.scalarInteger("SELECT count(*) FROM members") ?? 0
        summary.inserted = Int(countAfter - countBefore)
        summary.updated = changedRows - summary.inserted
        summary.duplicates = summary.read - summary.rejected - changedRows
        return summary
    }

    // MARK: CSV

    private func importCSV(_ records: CSVRecordReader, file: String, _ transaction: BatchedTransaction,
                           _ summary: inout ImportSummary, _ sink: any RejectedRowSink) throws {
        var columns: [MemberField] = []
        header: while true {
            switch try records.next() {
            case .endOfInput:
                throw Diagnostic(file: file, line: 1, message: "the file is empty; expected a header row such as id,name,phone")
            case .idle:
                continue
            case .malformed(let reason, let line):
                throw Diagnostic(file: file, line: line, message: "the header row cannot be read: \(reason)")
            case .record(let fields, let line):
                if fields == [""] { continue }
                columns = try Self.columns(fromHeader: fields, file: file, line: line)
                try sink.header(raw: records.raw)
                break header
            }
        }
        var values: [(field: MemberField, input: MemberInput)] = []
        while true {
            switch try records.next() {
            case .endOfInput:
                return
            case .idle:
                try transaction.commit()
            case .malformed(let reason, let line):
                summary.read += 1
                summary.rejected += 1
                try sink.reject(RowRejection(line: line, reason: reason), raw: records.raw)
            case .record(let fields, let line):
                if fields == [""] { continue }
                summary.read += 1
                guard fields.count == columns.count else {
                    summary.rejected += 1
                    try sink.reject(RowRejection(line: line, reason: "expected \(columns.count) fields as in the header, found \(fields.count)"),
                                    raw: records.raw)
                    continue
                }
                values.removeAll(keepingCapacity: true)
                for (field, text) in zip(columns, fields) { values.append((field, .text(text))) }
                try decodeAndUpsert(values, line: line, raw: records.raw, transaction, &summary, sink)
            }
        }
    }

    static func columns(fromHeader fields: [String], file: String, line: Int) throws -> [MemberField] {
        var columns: [MemberField] = []
        for (offset, name) in fields.enumerated() {
            let normalized = name.trimmingCharacters(in: .whitespaces).lowercased()
            guard let field = MemberField(rawValue: normalized) else {
                throw Diagnostic(file: file, line: line,
                                 message: "column \(offset + 1): unknown column '\(name)' (expected one of: \(MemberField.allNames))")
            }
            guard !columns.contains(field) else {
                throw Diagnostic(file: file, line: line, message: "column \(offset + 1): '\(name)' appears twice in the header")
            }
            columns.append(field)
        }
        guard columns.contains(.id) else {
            throw Diagnostic(file: file, line: line, message: "the header has no 'id' column (every member needs an id)")
        }
        return columns
    }

    // MARK: NDJSON

    private func importNDJSON(_ lines: LineReader, _ transaction: BatchedTransaction,
                              _ summary: inout ImportSummary, _ sink: any RejectedRowSink) throws {
        var line: [UInt8] = []
        var values: [(field: MemberField, input: MemberInput)] = []
        while true {
            let number: Int
            switch try lines.nextNonBlank(into: &line) {
            case .endOfInput: return
            case .idle:
                try transaction.commit()
                continue
            case .line(let lineNumber, let isTruncated):
                number = lineNumber
                summary.read += 1
                if isTruncated {
                    summary.rejected += 1
                    try sink.reject(.lineTooLong(line: number, limit: lines.maximumLineBytes), raw: line)
                    continue
                }
            }
            let count = LineReader.contentCount(of: line)
            let parsed = line.withUnsafeBufferPointer { bytes in
                Result { () throws(JSONSyntaxError) in
                    try JSONParser.parse(bytes: UnsafeBufferPointer(rebasing: bytes[..<count]), dialect: .json)
                }
            }
            do throws(RowRejection) {
                let object: JSONValue
                switch parsed {
                case .success(let value): object = value
                case .failure(let error): throw RowRejection.invalidJSON(error, line: number)
                }
                values.removeAll(keepingCapacity: true)
                try Self.memberValues(of: object, into: &values, line: number)
            } catch {
                summary.rejected += 1
                try sink.reject(error, raw: line)
                continue
            }
            try decodeAndUpsert(values, line: number, raw: line, transaction, &summary, sink)
        }
    }

    private static func memberValues(of object: JSONValue, into values: inout [(field: MemberField, input: MemberInput)],
                                     line: Int) throws(RowRejection) {
        guard let members = object.members else {
            throw RowRejection(line: line, reason: "expected a JSON object, found \(object.kindName)")
        }
        for member in members {
            guard let field = MemberField(rawValue: member.key) else {
                throw RowRejection(line: line, column: member.keyPosition.column,
                                   reason: "unknown key '\(member.key)' (expected one of: \(MemberField.allNames))")
            }
            do {
                values.append((field, try MemberInput(json: member.value)))
            } catch {
                throw RowRejection(line: line, column: member.value.position.column, reason: "\(member.key): \(error.reason)")
            }
        }
    }

    // MARK: Storing

    private func decodeAndUpsert(_ values: [(field: MemberField, input: MemberInput)], line: Int, raw: [UInt8],
                       _ transaction: BatchedTransaction, _ summary: inout ImportSummary, _ sink: any RejectedRowSink) throws {
        let record: MemberRecord
        do {
            record = try decoder.decode(values)
        } catch {
            summary.rejected += 1
            try sink.reject(RowRejection(line: line, reason: error.reason), raw: raw)
            return
        }
        try transaction.begin()
        try upsert(record)
        try transaction.unitDone()
    }

    private func upsert(_ record: MemberRecord) throws {
        let fields = record.providedFields
        let statement = try upserts[fields] ?? makeUpsert(for: fields)
        upserts[fields] = statement
        statement.reset()
        var index: Int32 = 1
        func bind(_ value: String?) throws {
            try statement.bind(value, at: index)
            index += 1
        }
        func bind(_ value: Int64?) throws {
            try statement.bind(value, at: index)
            index += 1
        }
        try bind(record.id)
        for field in fields.fields {
            switch field {
            case .id, .storedValue: break
            case .name: try bind(record.profile.name)
            case .phone: try bind(record.profile.phone?.e164)
            case .email: try bind(record.profile.email)
            case .pushToken: try bind(record.profile.pushToken)
            case .wechatOpenID: try bind(record.profile.wechatOpenID)
            case .birthday:
                try bind(record.profile.birthday?.year.map(Int64.init))
                try bind(record.profile.birthday.map { Int64($0.month) })
                try bind(record.profile.birthday.map { Int64($0.day) })
            case .timezone: try bind(record.profile.timeZone)
            case .locale: try bind(record.profile.locale)
            case .tier: try bind(record.profile.tier)
            case .region: try bind(record.profile.region)
            case .registrationChannel: try bind(record.profile.registrationChannel)
            case .registeredAt: try bind(record.profile.registeredAt.map(\.epochSeconds))
            case .lastActiveAt: try bind(record.profile.lastActiveAt.map(\.epochSeconds))
            case .tags: try bind(record.profile.tagsText)
            case .consentSMS: try bind(record.profile.consents[.sms]?.storedValue)
            case .consentPush: try bind(record.profile.consents[.push]?.storedValue)
            case .consentEmail: try bind(record.profile.consents[.email]?.storedValue)
            case .consentWeChat: try bind(record.profile.consents[.wechat]?.storedValue)
            }
        }
        let storedValue = fields.contains(.storedValue) ? record.profile.storedValue?.fen : nil

        guard try statement.step(), let memberKey = statement.integer(at: 0) else {
            // The profile is unchanged; only the balance may differ.
            statement.reset()
            if fields.contains(.storedValue) {
                if try setStoredValue.run(.optional(storedValue), .text(record.id)) > 0 { changedRows += 1 }
            }
            return
        }
        // Inserted or changed: recompute last activity from the profile as it is now.
        let profileActivity = [statement.integer(at: 1), statement.integer(at: 2)].compactMap { $0 }.max()
        statement.reset()
        changedRows += 1
        let state = fields.contains(.storedValue) ? upsertStateWithBalance : upsertState
        try state.run(.integer(memberKey), .optional(profileActivity), .optional(storedValue))
        if fields.contains(.tags) { try replaceTags(of: memberKey, with: record.profile.tags) }
    }

    private func replaceTags(of memberKey: Int64, with tags: [String]) throws {
        try deleteTags.run(.integer(memberKey))
        for tag in tags { try insertTag.run(.integer(memberKey), .text(tag)) }
    }

    /// `INSERT … ON CONFLICT(id) DO UPDATE … WHERE <something differs> RETURNING key, …`:
    /// a row comes back only when the member was inserted or its profile really changed.
    private func makeUpsert(for fields: MemberFieldSet) throws -> any SQLStatement {
        var columns: [String] = []
        for field in fields.fields {
            switch field {
            case .id, .storedValue: break
            case .birthday: columns += ["birth_year", "birth_month", "birth_day"]
            default: columns.append(field.rawValue)
            }
        }
        let placeholders = Array(repeating: "?", count: columns.count + 1).joined(separator: ", ")
        var sql = "INSERT INTO members (\((["id"] + columns).joined(separator: ", "))) VALUES (\(placeholders)) ON CONFLICT(id) DO "
        if columns.isEmpty {
            sql += "NOTHING"
        } else {
            // One column is a plain value to PostgreSQL, not a row: a row needs two or more.
            func row(_ prefix: String) -> String {
                let list = columns.map { "\(prefix).\($0)" }.joined(separator: ", ")
                return columns.count == 1 ? list : "(\(list))"
            }
            sql += "UPDATE SET \(columns.map { "\($0) = excluded.\($0)" }.joined(separator: ", ")) WHERE "
                + store.database.dialect.isDistinct(row("members"), row("excluded"))
        }
        return try store.database.prepare(sql + " RETURNING key, registered_at, last_active_at")
    }

    /// The state row of an inserted or changed member: last activity is the later of the
    /// profile's instants (?2) and the latest activity event; ?3 is the balance when the file has one.
    /// A balance is a snapshot: it replaces the live balance only when it differs from the last
    /// imported one, so re-importing a file keeps the top-ups and spends ingested since.
    private static func stateUpsertSQL(settingBalance: Bool, _ dialect: SQLDialect) -> String {
        """
        INSERT INTO member_state (member_key, last_activity_at, stored_value, imported_stored_value) VALUES (?1, ?2, ?3, ?3)
        ON CONFLICT(member_key) DO UPDATE SET
            last_activity_at = \(dialect.greatest("coalesce(?2, member_state.last_event_at)",
                                                  "coalesce(member_state.last_event_at, ?2)"))
        """ + (settingBalance ? """
            , stored_value = CASE WHEN \(dialect.isNotDistinct("member_state.imported_stored_value", "?3"))
                THEN member_state.stored_value ELSE ?3 END,
            imported_stored_value = ?3
            """ : "")
    }

}
