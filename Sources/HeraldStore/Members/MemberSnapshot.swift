import Foundation
import HeraldCore

/// A stored member with the state Herald derived for it: what `herald members show` prints.
public struct MemberSnapshot: Sendable {
    public struct PointsLot: Sendable, Equatable {
        public var points: Int64
        public var remaining: Int64
        public var earnedAt: Date
        public var expiresAt: Date
    }

    public var key: Int64
    public var id: String
    public var profile: MemberProfile
    /// Derived by ingest: the latest activity-type event.
    public var lastEventAt: Date?
    /// The latest of registration, imported last activity and activity events.
    public var lastActivityAt: Date?
    public var lastTopupAt: Date?
    public var totalSpent: Money
    /// Every lot, first-expiring first, spent ones included.
    public var pointsLots: [PointsLot] = []
    public var eventCount = 0
    public var latestEvent: (type: String, at: Date)?

    /// Points in lots not yet expired at `instant`.
    public func pointsBalance(at instant: Date) -> Int64 {
        pointsLots.filter { $0.expiresAt > instant }.reduce(0) { $0 + $1.remaining }
    }
}

extension MemberStore {
    /// The member with `id`, or nil when the store does not know it.
    public func member(id: String) throws -> MemberSnapshot? {
        let row = try database.prepare("""
            SELECT key, id, name, phone, email, push_token, birth_year, birth_month, birth_day, timezone, locale, tier,
                   region, registration_channel, registered_at, last_active_at, s.last_event_at, s.last_activity_at, tags,
                   s.stored_value, s.last_topup_at, coalesce(s.total_spent, 0), consent_sms, consent_push, consent_email
            FROM members LEFT JOIN member_state s ON s.member_key = members.key WHERE id = ?
            """)
        try row.bind([.text(id)])
        guard try row.step(), let key = row.integer(at: 0) else { return nil }

        var profile = MemberProfile()
        profile.name = row.text(at: 2)
        profile.phone = row.text(at: 3).map(PhoneNumber.init(storedE164:))
        profile.email = row.text(at: 4)
        profile.pushToken = row.text(at: 5)
        if let month = row.integer(at: 7), let day = row.integer(at: 8) {
            profile.birthday = Birthday(year: row.integer(at: 6).map(Int.init), month: Int(month), day: Int(day))
        }
        profile.timeZone = row.text(at: 9)
        profile.locale = row.text(at: 10)
        profile.tier = row.text(at: 11)
        profile.region = row.text(at: 12)
        profile.registrationChannel = row.text(at: 13)
        profile.registeredAt = row.instant(at: 14)
        profile.lastActiveAt = row.instant(at: 15)
        profile.tags = row.text(at: 18).map { $0.split(separator: ";").map(String.init) } ?? []
        profile.storedValue = row.integer(at: 19).map(Money.init(fen:))
        for (offset, channel) in [ChannelKind.sms, .push, .email].enumerated() {
            profile.consents[channel] = row.text(at: 22 + Int32(offset)).flatMap(Consent.init(rawValue:)) ?? .unknown
        }
        var snapshot = MemberSnapshot(key: key, id: row.text(at: 1) ?? id, profile: profile, lastEventAt: row.instant(at: 16),
                                      lastActivityAt: row.instant(at: 17), lastTopupAt: row.instant(at: 20),
                                      totalSpent: Money(fen: row.integer(at: 21) ?? 0))

        let lots = try database.prepare("""
            SELECT points, remaining, earned_at, expires_at FROM points_lots WHERE member_key = ? ORDER BY expires_at, key
            """)
        try lots.bind([.integer(key)])
        while try lots.step() {
            snapshot.pointsLots.append(MemberSnapshot.PointsLot(
                points: lots.integer(at: 0) ?? 0, remaining: lots.integer(at: 1) ?? 0,
                earnedAt: lots.instant(at: 2) ?? .distantPast, expiresAt: lots.instant(at: 3) ?? .distantPast))
        }
        snapshot.eventCount = Int(try database.scalarInteger("SELECT count(*) FROM events WHERE member_key = ?", .integer(key)) ?? 0)
        let latest = try database.prepare("SELECT type, at FROM events WHERE member_key = ? ORDER BY at DESC, key DESC LIMIT 1")
        try latest.bind([.integer(key)])
        if try latest.step(), let type = latest.text(at: 0), let at = latest.instant(at: 1) {
            snapshot.latestEvent = (type, at)
        }
        return snapshot
    }
}
