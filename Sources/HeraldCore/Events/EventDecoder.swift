import Foundation

/// Turns one NDJSON line into an `EventRecord`, checking the attributes each type needs.
///
/// Unknown attributes are kept in the payload (events are open-ended); a missing or
/// malformed attribute that the type's effect needs rejects the line.
public struct EventDecoder {
    private let instants: InstantParser
    /// The most points one event may earn or spend: a billion.
    public static let maximumPoints: Int64 = 1_000_000_000

    public init(defaultTimeZone: TimeZone) {
        instants = InstantParser(defaultTimeZone: defaultTimeZone)
    }

    /// `content` is the line without its terminator. Throws a `RowRejection` whose line is 0;
    /// the caller knows the line number.
    public func decode(content: UnsafeBufferPointer<UInt8>) throws(RowRejection) -> EventRecord {
        let trimmed = Self.trimmed(content)
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes: trimmed, dialect: .json)
        } catch {
            throw RowRejection.invalidJSON(error, line: 0, columnOffset: trimmed.baseAddress! - content.baseAddress!)
        }
        do {
            return try decode(object: value, payloadBytes: trimmed)
        } catch {
            throw RowRejection(line: 0, reason: error.reason)
        }
    }

    private func decode(object value: JSONValue, payloadBytes: UnsafeBufferPointer<UInt8>) throws(RowProblem) -> EventRecord {
        guard value.members != nil else { throw RowProblem("expected a JSON object, found \(value.kindName)") }
        // No store keeps U+0000 in text, nor PostgreSQL in JSON (`\u0000`): the event is refused
        // here rather than fail a batch, or a trigger's query, later.
        guard !value.holdsNUL else { throw RowProblem("a string holds \\u0000 (a NUL character), which cannot be stored") }
        let type = EventType(rawValue: try requiredText("type", in: value))
        guard type.rawValue.utf8.count <= 64 else { throw RowProblem.field("type", found: type.rawValue, expected: "at most 64 bytes") }
        let memberID = try optionalText("member_id", in: value)
        if memberID == nil && !type.isDeliveryReceipt { throw RowProblem("member_id: missing") }
        let atText = try requiredText("at", in: value)
        guard let at = instants.parse(atText) else {
            throw RowProblem.field("at", found: atText, expected: InstantParser.expectedFormat)
        }
        let id = try optionalText("id", in: value) ?? Self.derivedID(at: at, content: payloadBytes)
        guard let payload = String(validating: payloadBytes, as: UTF8.self) else { throw RowProblem("invalid UTF-8") }

        var record = EventRecord(id: id, memberID: memberID, type: type, at: at, payload: payload)
        record.sku = try optionalText("sku", in: value)
        record.category = try optionalText("category", in: value)
        switch type {
        case .purchase:
            record.amount = try money("amount", in: value, required: true)
        case .topup:
            let amount = try money("amount", in: value, required: true)!
            let bonus = try money("bonus", in: value, required: false) ?? Money(fen: 0)
            record.amount = amount
            record.effect = .storedValue(delta: Money(fen: amount.fen + bonus.fen))
        case .storedValueSpend:
            let amount = try money("amount", in: value, required: true)!
            record.amount = amount
            record.effect = .storedValue(delta: Money(fen: -amount.fen))
        case .pointsEarn:
            let expiresText = try requiredText("expires_at", in: value)
            guard let expiresAt = instants.parse(expiresText) else {
                throw RowProblem.field("expires_at", found: expiresText, expected: InstantParser.expectedFormat)
            }
            record.effect = .pointsEarn(points: try points(in: value), expiresAt: expiresAt)
        case .pointsSpend:
            record.effect = .pointsSpend(points: try points(in: value))
        case .optOut, .optIn:
            let channelText = try requiredText("channel", in: value)
            guard let channel = ChannelKind(rawValue: channelText) else {
                throw RowProblem.field("channel", found: channelText, expected: "sms, push, email or wechat")
            }
            record.effect = .consent(channel: channel, consent: type == .optOut ? .no : .yes)
        case .tierChange:
            // Checked here so that an `event.to` in a tier message is never empty.
            _ = try requiredText("to", in: value)
            _ = try optionalText("from", in: value)
        case .click:
            record.reference = try requiredText("token", in: value)
        case .redeem:
            record.reference = try requiredText("coupon", in: value)
        case .delivered, .undelivered:
            let key = try optionalText("key", in: value)
            let providerID = try optionalText("provider_id", in: value)
            guard let reference = key ?? providerID else {
                throw RowProblem("key or provider_id: missing (a receipt names the send it is about)")
            }
            record.reference = reference
        default:
            break
        }
        return record
    }

    /// The id of an event that has none: `h:` + its instant (10 hex digits of seconds) + the top 80
    /// bits of FNV-1a-128 over the line. A pure function of the content, so re-ingesting dedupes;
    /// time first, so a chronological stream appends to the id index instead of scattering over it.
    public static func derivedID(at: Date, content: some Sequence<UInt8>) -> String {
        let seconds = UInt64(max(0, at.timeIntervalSince1970.rounded(.down)))
        let hash = FNV1a.hash128(content) >> 48
        // Hand-rolled hex: `String(_:radix:)` on UInt128 cost as much as parsing the line.
        return String(unsafeUninitializedCapacity: 32) { buffer in
            let digits: StaticString = "0123456789abcdef"
            buffer[0] = UInt8(ascii: "h")
            buffer[1] = UInt8(ascii: ":")
            for position in 0..<10 {
                buffer[2 + position] = digits.utf8Start[Int(seconds >> (4 * (9 - position)) & 0xF)]
            }
            for position in 0..<20 {
                buffer[12 + position] = digits.utf8Start[Int(UInt64(truncatingIfNeeded: hash >> (4 * (19 - position))) & 0xF)]
            }
            return 32
        }
    }

    private func requiredText(_ key: String, in object: JSONValue) throws(RowProblem) -> String {
        guard let text = try optionalText(key, in: object) else { throw RowProblem("\(key): missing") }
        return text
    }

    /// A string, or a number written as text (ids are often numeric); empty counts as missing.
    private func optionalText(_ key: String, in object: JSONValue) throws(RowProblem) -> String? {
        guard let value = object[key] else { return nil }
        switch value.kind {
        case .string(let text): return text.isEmpty ? nil : text
        case .number(let text): return text
        case .null: return nil
        default: throw RowProblem("\(key): expected a string, found \(value.kindName)")
        }
    }

    private func money(_ key: String, in object: JSONValue, required: Bool) throws(RowProblem) -> Money? {
        guard let text = try optionalText(key, in: object) else {
            if required { throw RowProblem("\(key): missing (an amount in yuan)") }
            return nil
        }
        guard let money = Money(yuan: text), money.fen >= 0, money <= Money.dataLimit else {
            throw RowProblem.field(key, found: text, isNumber: true,
                                   expected: Money.expectedDataAmount)
        }
        return money
    }

    private func points(in object: JSONValue) throws(RowProblem) -> Int64 {
        let text = try requiredText("points", in: object)
        guard let points = Int64(text), (1...Self.maximumPoints).contains(points) else {
            throw RowProblem.field("points", found: text, isNumber: true,
                                   expected: "a whole number from 1 to \(Self.maximumPoints)")
        }
        return points
    }

    private static func trimmed(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var start = 0
        var end = bytes.count
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
        return UnsafeBufferPointer(rebasing: bytes[start..<end])
    }
}
