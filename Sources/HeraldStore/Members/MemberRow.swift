import Foundation
import HeraldCore

/// One member row with its state, read the same way by `members show` and by every
/// trigger's candidate query: the column list to select and the reader for it.
struct MemberRow {
    /// Selects from `members m LEFT JOIN member_state s`; `count` columns, in this order.
    static let columns = """
        m.key, m.id, m.name, m.phone, m.email, m.push_token, m.birth_year, m.birth_month, m.birth_day, m.timezone, \
        m.locale, m.tier, m.region, m.registration_channel, m.registered_at, m.last_active_at, m.tags, m.consent_sms, \
        m.consent_push, m.consent_email, s.stored_value, coalesce(s.total_spent, 0), s.last_activity_at, s.last_topup_at, \
        s.last_event_at, m.wechat_openid, m.consent_wechat
        """
    static let count: Int32 = 27

    var key: Int64
    var id: String
    var profile: MemberProfile
    var totalSpent: Money
    var lastActivityAt: Date?
    var lastTopupAt: Date?
    var lastEventAt: Date?
    /// A sealed name or address that would not open (an altered value): the row is skipped.
    var sealProblem: String?

    /// Why the row cannot be evaluated, nil when it can: every instant within the supported
    /// years and every amount within `Money.dataLimit`. Import and ingest accept nothing else,
    /// so this catches rows left by older versions or written to the store by hand.
    var dataProblem: String? {
        if let sealProblem { return sealProblem }
        let instants: [(String, Date?)] = [
            ("registered_at", profile.registeredAt), ("last_active_at", profile.lastActiveAt),
            ("last activity", lastActivityAt), ("last top-up", lastTopupAt), ("last event", lastEventAt),
        ]
        for (name, instant) in instants where instant.map(Self.isSupported) == false {
            return "\(name) \(instant!.timeIntervalSince1970) is outside 1900–2200"
        }
        if let value = profile.storedValue, value.fen.magnitude > UInt64(Money.dataLimit.fen) {
            return "stored value \(value) is beyond ±\(Money.dataLimit)"
        }
        if totalSpent.fen.magnitude > UInt64(Int64.max / 4) {
            return "total spent \(totalSpent) is too large to add to"
        }
        return nil
    }

    /// Points a member may hold in all: a million ingests of the largest accepted event.
    static let pointsLimit: Int64 = 1_000_000 * EventDecoder.maximumPoints

    /// Why a points sum read from the store cannot be used; nil when it can.
    static func pointsProblem(_ points: Int64?, _ name: String) -> String? {
        guard let points, points.magnitude > UInt64(pointsLimit) else { return nil }
        return "\(name) \(points) is beyond the \(pointsLimit) points Herald accepts"
    }

    /// Whether an instant read from the store lies within the years Herald accepts.
    static func isSupported(_ instant: Date) -> Bool { supportedSeconds.contains(instant.timeIntervalSince1970) }

    static func isSupported(epochSeconds: Int64) -> Bool { supportedSeconds.contains(Double(epochSeconds)) }

    private static let supportedSeconds: ClosedRange<Double> = {
        let first = CivilDate(year: InstantParser.supportedYears.lowerBound, month: 1, day: 1)!.daysSinceEpoch
        let last = CivilDate(year: InstantParser.supportedYears.upperBound, month: 12, day: 31)!.daysSinceEpoch
        return Double(first * 86_400 - 86_400)...Double(last * 86_400 + 2 * 86_400)
    }()

    /// Reads the columns of `columns` from the current row, opening what `cipher` sealed.
    init(_ row: any SQLStatement, cipher: StoreCipher?) {
        key = row.integer(at: 0) ?? 0
        id = row.text(at: 1) ?? ""
        var sealProblem: String?
        func opened(_ column: Int32) -> String? {
            guard let cipher else { return row.text(at: column) }
            do { return try cipher.open(row.text(at: column)) } catch {
                sealProblem = "\(row.columnName(at: column) ?? "a column"): \(error)"
                return nil
            }
        }
        var profile = MemberProfile()
        profile.name = opened(2)
        profile.phone = opened(3).map(PhoneNumber.init(storedE164:))
        profile.email = opened(4)
        profile.pushToken = opened(5)
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
        profile.tags = row.text(at: 16).map { $0.split(separator: ";").map(String.init) } ?? []
        for (offset, channel) in [ChannelKind.sms, .push, .email].enumerated() {
            profile.consents[channel] = row.text(at: 17 + Int32(offset)).flatMap(Consent.init(rawValue:)) ?? .unknown
        }
        profile.wechatOpenID = opened(25)
        profile.consents[.wechat] = row.text(at: 26).flatMap(Consent.init(rawValue:)) ?? .unknown
        profile.storedValue = row.integer(at: 20).map(Money.init(fen:))
        self.profile = profile
        totalSpent = Money(fen: row.integer(at: 21) ?? 0)
        lastActivityAt = row.instant(at: 22)
        lastTopupAt = row.instant(at: 23)
        lastEventAt = row.instant(at: 24)
        self.sealProblem = sealProblem
    }
}
