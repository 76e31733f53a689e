import Foundation

/// Validates raw member values (from CSV or NDJSON) into a `MemberRecord`, or says
/// precisely which field is wrong and what was expected.
public struct MemberRecordDecoder {
    private let instants: InstantParser
    /// Time zone identifiers seen so far and whether they exist: `TimeZone(identifier:)`
    /// is too slow to call for every row of a million-row file.
    private var knownTimeZones: [String: Bool] = [:]
    /// Locales seen so far, normalised (or nil when invalid): a file holds a handful of distinct ones.
    private var knownLocales: [String: String?] = [:]

    public init(defaultTimeZone: TimeZone) {
        instants = InstantParser(defaultTimeZone: defaultTimeZone)
    }

    public mutating func decode(_ values: [(field: MemberField, input: MemberInput)]) throws(RowProblem) -> MemberRecord {
        guard let idValue = values.first(where: { $0.field == .id }),
              case .text(let rawID) = idValue.input, !rawID.isEmpty
        else { throw RowProblem("id: missing (every member needs an id)") }
        guard rawID.utf8.count <= 128, !rawID.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F })
        else { throw RowProblem.field("id", found: rawID, expected: "at most 128 bytes without control characters") }

        var record = MemberRecord(id: rawID)
        for (field, input) in values where field != .id {
            record.providedFields.insert(field)
            // No store keeps U+0000 in text (PostgreSQL refuses it); no member system means one.
            let texts: [String] = switch input {
            case .text(let text): [text]
            case .list(let list): list
            }
            if texts.contains(where: { $0.utf8.contains(0) }) {
                throw RowProblem("\(field.rawValue): contains U+0000 (a NUL character), which cannot be stored")
            }
            if field == .tags {
                record.profile.tags = Self.tags(from: input)
                continue
            }
            guard case .text(let text) = input else {
                throw RowProblem("\(field.rawValue): expected a single value, found a list")
            }
            if text.isEmpty {
                if let channel = Self.consentChannel(of: field) { record.profile.consents[channel] = .unknown }
                continue
            }
            try assign(text, to: field, of: &record)
        }
        return record
    }

    private mutating func assign(_ text: String, to field: MemberField, of record: inout MemberRecord) throws(RowProblem) {
        switch field {
        case .id, .tags:
            break
        case .name: record.profile.name = text
        case .phone:
            guard let phone = PhoneNumber(text) else {
                // Enough digits to be someone's number: masked like every address on a screen.
                let shown = text.count(where: \.isWholeNumber) >= 7 ? PhoneNumber.mask(text) : text
                throw RowProblem.field("phone", found: shown, expected: PhoneNumber.expectedFormat)
            }
            record.profile.phone = phone
        case .email:
            guard Self.isPlausibleEmail(text) else {
                let shown = text.contains("@") ? AddressMask.masked(text, kind: .email) : text
                throw RowProblem.field("email", found: shown, expected: "an address like name@example.cn")
            }
            record.profile.email = text
        case .pushToken: record.profile.pushToken = text
        case .wechatOpenID:
            guard Self.isPlausibleOpenID(text) else {
                throw RowProblem.field("wechat_openid", found: AddressMask.masked(text, kind: .wechat),
                                       expected: "an openid: 6 to 64 letters, digits, - or _ (e.g. oUpF8uMuAJO_M2pxb1Q9zNjWeS6o)")
            }
            record.profile.wechatOpenID = text
        case .birthday:
            guard let birthday = Birthday(text) else {
                throw RowProblem.field("birthday", found: text, expected: "a real date as \(Birthday.expectedFormat)")
            }
            record.profile.birthday = birthday
        case .timezone:
            guard isKnownTimeZone(text) else {
                throw RowProblem.field("timezone", found: text, expected: "an IANA time zone such as Asia/Shanghai")
            }
            record.profile.timeZone = text
        case .locale:
            guard let locale = normalizedLocaleCached(text) else {
                throw RowProblem.field("locale", found: text, expected: "a language tag such as zh-CN or en")
            }
            record.profile.locale = locale
        case .tier: record.profile.tier = text
        case .region: record.profile.region = text
        case .registrationChannel: record.profile.registrationChannel = text
        case .registeredAt:
            guard let instant = instants.parse(text) else {
                throw RowProblem.field("registered_at", found: text, expected: InstantParser.expectedFormat)
            }
            record.profile.registeredAt = instant
        case .lastActiveAt:
            guard let instant = instants.parse(text) else {
                throw RowProblem.field("last_active_at", found: text, expected: InstantParser.expectedFormat)
            }
            record.profile.lastActiveAt = instant
        case .storedValue:
            guard let money = Money(yuan: text), money.fen >= 0, money <= Money.dataLimit else {
                throw RowProblem.field("stored_value", found: text, isNumber: true,
                                       expected: Money.expectedDataAmount)
            }
            record.profile.storedValue = money
        case .consentSMS, .consentPush, .consentEmail, .consentWeChat:
            guard let consent = Consent(text: text) else {
                throw RowProblem.field(field.rawValue, found: text, expected: Consent.expectedFormat)
            }
            record.profile.consents[Self.consentChannel(of: field)!] = consent
        }
    }

    private static func consentChannel(of field: MemberField) -> ChannelKind? {
        switch field {
        case .consentSMS: .sms
        case .consentPush: .push
        case .consentEmail: .email
        case .consentWeChat: .wechat
        default: nil
        }
    }

    /// WeChat openids are 28 characters of `[A-Za-z0-9_-]` today; the bounds leave room.
    static func isPlausibleOpenID(_ text: String) -> Bool {
        (6...64).contains(text.utf8.count)
            && text.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_") }
    }

    /// `a;b`, `a,b` (a quoted CSV field) or an NDJSON list: trimmed, empty ones dropped, sorted, unique.
    static func tags(from input: MemberInput) -> [String] {
        var tags: [String] = []
        /// Adds `text[start..<end]` without surrounding ASCII spaces, once.
        func add(_ text: String, _ start: String.Index, _ end: String.Index) {
            let utf8 = text.utf8
            var start = start, end = end
            while start < end, utf8[start] == 0x20 || utf8[start] == 0x09 { start = utf8.index(after: start) }
            while end > start, utf8[utf8.index(before: end)] == 0x20 || utf8[utf8.index(before: end)] == 0x09 {
                end = utf8.index(before: end)
            }
            guard start < end else { return }
            let tag = String(Substring(utf8[start..<end]))
            if !tags.contains(tag) { tags.append(tag) }
        }
        switch input {
        case .text(let text):
            var start = text.utf8.startIndex
            var index = start
            while index < text.utf8.endIndex {
                let byte = text.utf8[index]
                if byte == UInt8(ascii: ";") || byte == UInt8(ascii: ",") {
                    add(text, start, index)
                    start = text.utf8.index(after: index)
                }
                index = text.utf8.index(after: index)
            }
            add(text, start, text.utf8.endIndex)
        case .list(let list):
            list.forEach { add($0, $0.startIndex, $0.endIndex) }
        }
        return tags.sorted()
    }

    private mutating func normalizedLocaleCached(_ text: String) -> String? {
        if let known = knownLocales[text] { return known }
        let normalized = Self.normalizedLocale(text)
        if knownLocales.count < 1024 { knownLocales[text] = normalized }
        return normalized
    }

    /// Region identifiers (`Asia/Shanghai`) and `UTC` only: abbreviations such as `CST` are
    /// ambiguous (China, or US Central?) and Foundation would accept them.
    private mutating func isKnownTimeZone(_ identifier: String) -> Bool {
        if let known = knownTimeZones[identifier] { return known }
        let exists = TimeZone.iana(identifier) != nil
        if knownTimeZones.count < 1024 { knownTimeZones[identifier] = exists }
        return exists
    }

    /// `zh-CN`, `zh_cn`, `en` → `zh-CN`, `zh-CN`, `en`. Nil when it does not look like a language tag.
    static func normalizedLocale(_ text: String) -> String? {
        let parts = text.split(whereSeparator: { $0 == "-" || $0 == "_" }).map(String.init)
        guard let language = parts.first, (2...3).contains(language.count),
              language.allSatisfy({ $0.isASCII && $0.isLetter }),
              parts.dropFirst().allSatisfy({ (2...8).contains($0.count) && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } })
        else { return nil }
        let rest = parts.dropFirst().map { $0.count == 2 ? $0.uppercased() : $0 }
        return ([language.lowercased()] + rest).joined(separator: "-")
    }

    /// One `@` with something before it, a dotted domain after it, no spaces or control characters.
    static func isPlausibleEmail(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        // RFC 5321's limits: 254 bytes in all, 64 before the `@`.
        guard bytes.count <= 254, let at = bytes.firstIndex(of: UInt8(ascii: "@")), at > 0, at <= 64,
              !bytes.contains(where: { $0 <= 0x20 || $0 == 0x7F }),
              bytes[(at + 1)...].allSatisfy({ $0 != UInt8(ascii: "@") })
        else { return false }
        let domain = bytes[(at + 1)...]
        return domain.contains(UInt8(ascii: ".")) && domain.first != UInt8(ascii: ".") && domain.last != UInt8(ascii: ".")
    }
}
