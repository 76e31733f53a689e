import HeraldCore

extension MemberField {
    /// The `members` columns this field is stored in, in order: three for a birthday, none
    /// for `id` (the key every upsert has) and `stored_value` (kept in `member_state`).
    var memberColumns: [String] {
        switch self {
        case .id, .storedValue: []
        case .birthday: ["birth_year", "birth_month", "birth_day"]
        default: [rawValue]
        }
    }
}

extension MemberFieldSet {
    /// How an upsert of these fields ends (`INSERT … <this>`): a new member is inserted; an
    /// existing one is updated only when a provided column differs (so an unchanged row
    /// writes nothing and `RETURNING` gives nothing), and left alone when only `id` is provided.
    func upsertConflictClause(_ dialect: SQLDialect) -> String {
        let columns = fields.flatMap(\.memberColumns)
        guard !columns.isEmpty else { return "ON CONFLICT (id) DO NOTHING" }
        // One column is a plain value to PostgreSQL, not a row: a row needs two or more.
        func row(_ prefix: String) -> String {
            let list = columns.map { "\(prefix).\($0)" }.joined(separator: ", ")
            return columns.count == 1 ? list : "(\(list))"
        }
        return "ON CONFLICT (id) DO UPDATE SET " + columns.map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
            + " WHERE " + dialect.isDistinct(row("members"), row("excluded"))
    }
}

extension MemberRecord {
    /// What `field` stores in `store`, one value per column of `field.memberColumns`: the one
    /// mapping from a record to its row, for both backends' importers. Names and addresses are
    /// sealed when the store has keys.
    func storedValues(of field: MemberField, in store: SQLStore) -> [SQLValue] {
        let profile = self.profile
        switch field {
        case .id, .storedValue: return []
        case .name: return [.optional(store.storedAddress(profile.name))]
        case .phone: return [.optional(store.storedAddress(profile.phone?.e164))]
        case .email: return [.optional(store.storedAddress(profile.email))]
        case .pushToken: return [.optional(store.storedAddress(profile.pushToken))]
        case .wechatOpenID: return [.optional(store.storedAddress(profile.wechatOpenID))]
        case .birthday:
            return [.optional(profile.birthday?.year.map(Int64.init)), .optional(profile.birthday.map { Int64($0.month) }),
                    .optional(profile.birthday.map { Int64($0.day) })]
        case .timezone: return [.optional(profile.timeZone)]
        case .locale: return [.optional(profile.locale)]
        case .tier: return [.optional(profile.tier)]
        case .region: return [.optional(profile.region)]
        case .registrationChannel: return [.optional(profile.registrationChannel)]
        case .registeredAt: return [.optional(profile.registeredAt.map(\.epochSeconds))]
        case .lastActiveAt: return [.optional(profile.lastActiveAt.map(\.epochSeconds))]
        case .tags: return [.optional(profile.tagsText)]
        case .consentSMS: return [.optional(profile.consents[.sms]?.storedValue)]
        case .consentPush: return [.optional(profile.consents[.push]?.storedValue)]
        case .consentEmail: return [.optional(profile.consents[.email]?.storedValue)]
        case .consentWeChat: return [.optional(profile.consents[.wechat]?.storedValue)]
        }
    }

    /// The balance the file gives, in fen (nil: absent or empty).
    var importedStoredValue: Int64? {
        providedFields.contains(.storedValue) ? profile.storedValue?.fen : nil
    }
}
