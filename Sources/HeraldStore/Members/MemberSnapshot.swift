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

    /// Points in lots not yet expired at `instant` (saturating: stored values are not trusted to be small).
    public func pointsBalance(at instant: Date) -> Int64 {
        pointsLots.filter { $0.expiresAt > instant }.reduce(Int64(0)) { total, lot in
            let (sum, overflow) = total.addingReportingOverflow(lot.remaining)
            return overflow ? (lot.remaining > 0 ? .max : .min) : sum
        }
    }
}

extension SQLStore {
    /// The member with `id`, or nil when the store does not know it.
    public func member(id: String) throws -> MemberSnapshot? {
        let row = try database.prepare("""
            SELECT \(MemberRow.columns) FROM members m LEFT JOIN member_state s ON s.member_key = m.key WHERE m.id = ?
            """)
        try row.bind([.text(id)])
        guard try row.step() else { return nil }
        let member = MemberRow(row, cipher: cipher)
        if let problem = member.sealProblem { throw SealedValueError(description: "member \(id): \(problem)") }
        let key = member.key
        var snapshot = MemberSnapshot(key: key, id: member.id, profile: member.profile, lastEventAt: member.lastEventAt,
                                      lastActivityAt: member.lastActivityAt, lastTopupAt: member.lastTopupAt,
                                      totalSpent: member.totalSpent)

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
