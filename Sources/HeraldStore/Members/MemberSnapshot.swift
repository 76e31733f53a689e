import Foundation
import HeraldCore

/// A stored member with the state Herald derived for it: what `herald members show` prints.
public struct MemberSnapshot: Sendable, Equatable {
    public struct PointsLot: Sendable, Equatable {
        public var points: Int64
        public var remaining: Int64
        public var earnedAt: Date
        public var expiresAt: Date
    }

    public var key: Int64
    public var id: String
    public var name: String?
    public var phone: String?
    public var email: String?
    public var pushToken: String?
    public var birthday: Birthday?
    /// The member's own zone, or nil for the config's default.
    public var timeZone: String?
    public var locale: String?
    public var tier: String?
    public var region: String?
    public var registrationChannel: String?
    public var registeredAt: Date?
    public var lastActiveAt: Date?
    public var lastEventAt: Date?
    public var lastActivityAt: Date?
    public var tags: [String]
    public var storedValue: Money?
    public var lastTopupAt: Date?
    public var totalSpent: Money
    public var consents: [ChannelKind: Consent]
    /// Every lot, first-expiring first, spent ones included.
    public var pointsLots: [PointsLot]
    public var eventCount: Int
    public var latestEvent: (type: String, at: Date)?

    /// Points in lots not yet expired at `instant`.
    public func pointsBalance(at instant: Date) -> Int64 {
        pointsLots.filter { $0.expiresAt > instant }.reduce(0) { $0 + $1.remaining }
    }

    public static func == (lhs: MemberSnapshot, rhs: MemberSnapshot) -> Bool {
        lhs.key == rhs.key && lhs.id == rhs.id && lhs.tags == rhs.tags && lhs.pointsLots == rhs.pointsLots
            && lhs.storedValue == rhs.storedValue && lhs.consents == rhs.consents && lhs.lastActivityAt == rhs.lastActivityAt
            && lhs.phone == rhs.phone && lhs.eventCount == rhs.eventCount
    }
}

extension MemberStore {
    /// The member with `id`, or nil when the store does not know it.
    public func member(id: String) throws -> MemberSnapshot? {
        let row = try database.prepare("""
            SELECT key, id, name, phone, email, push_token, birth_year, birth_month, birth_day, timezone, locale, tier,
                   region, registration_channel, registered_at, last_active_at, last_event_at, last_activity_at, tags,
                   stored_value, last_topup_at, total_spent, consent_sms, consent_push, consent_email
            FROM members WHERE id = ?
            """)
        try row.bind([.text(id)])
        guard try row.step(), let key = row.integer(at: 0) else { return nil }
        func instant(_ column: Int32) -> Date? { row.integer(at: column).map { Date(timeIntervalSince1970: TimeInterval($0)) } }
        func consent(_ column: Int32) -> Consent { row.text(at: column).flatMap(Consent.init(rawValue:)) ?? .unknown }

        var birthday: Birthday?
        if let month = row.integer(at: 7), let day = row.integer(at: 8) {
            birthday = Birthday(year: row.integer(at: 6).map(Int.init), month: Int(month), day: Int(day))
        }
        var snapshot = MemberSnapshot(
            key: key, id: row.text(at: 1) ?? id, name: row.text(at: 2), phone: row.text(at: 3), email: row.text(at: 4),
            pushToken: row.text(at: 5), birthday: birthday, timeZone: row.text(at: 9), locale: row.text(at: 10),
            tier: row.text(at: 11), region: row.text(at: 12), registrationChannel: row.text(at: 13),
            registeredAt: instant(14), lastActiveAt: instant(15), lastEventAt: instant(16), lastActivityAt: instant(17),
            tags: row.text(at: 18).map { $0.split(separator: ";").map(String.init) } ?? [],
            storedValue: row.integer(at: 19).map(Money.init(fen:)), lastTopupAt: instant(20),
            totalSpent: Money(fen: row.integer(at: 21) ?? 0),
            consents: [.sms: consent(22), .push: consent(23), .email: consent(24)],
            pointsLots: [], eventCount: 0, latestEvent: nil)

        let lots = try database.prepare("""
            SELECT points, remaining, earned_at, expires_at FROM points_lots WHERE member_key = ? ORDER BY expires_at, key
            """)
        try lots.bind([.integer(key)])
        while try lots.step() {
            snapshot.pointsLots.append(MemberSnapshot.PointsLot(
                points: lots.integer(at: 0) ?? 0, remaining: lots.integer(at: 1) ?? 0,
                earnedAt: Date(timeIntervalSince1970: TimeInterval(lots.integer(at: 2) ?? 0)),
                expiresAt: Date(timeIntervalSince1970: TimeInterval(lots.integer(at: 3) ?? 0))))
        }
        snapshot.eventCount = Int(try database.scalarInteger("SELECT count(*) FROM events WHERE member_key = ?", .integer(key)) ?? 0)
        let latest = try database.prepare("SELECT type, at FROM events WHERE member_key = ? ORDER BY at DESC, key DESC LIMIT 1")
        try latest.bind([.integer(key)])
        if try latest.step(), let type = latest.text(at: 0), let at = latest.integer(at: 1) {
            snapshot.latestEvent = (type, Date(timeIntervalSince1970: TimeInterval(at)))
        }
        return snapshot
    }
}
