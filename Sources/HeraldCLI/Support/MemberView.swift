import Foundation
import HeraldCore
import HeraldStore

/// How `members show` presents a member to an operator: masked contact data, times in
/// the member's own zone, derived state spelled out.
struct MemberView {
    let member: MemberSnapshot
    let zone: TimeZone
    let zoneIsDefault: Bool
    let now: Date

    init(member: MemberSnapshot, defaultTimeZone: TimeZone, now: Date) {
        self.member = member
        let own = member.profile.timeZone.flatMap(TimeZone.init(identifier:))
        zone = own ?? defaultTimeZone
        zoneIsDefault = own == nil
        self.now = now
    }

    private func time(_ instant: Date?) -> String? {
        instant.map { InstantFormatter.string(from: $0, in: zone) }
    }

    static func maskEmail(_ email: String) -> String {
        guard let at = email.firstIndex(of: "@"), let first = email.first else { return "***" }
        // The first character, unless it is the whole local part.
        return (email[..<at].count > 1 ? "\(first)" : "") + "***\(email[at...])"
    }

    private var pushTokenSummary: String? {
        member.profile.pushToken.map { "set (…\($0.suffix(4)))" }
    }

    private var openIDSummary: String? {
        member.profile.wechatOpenID.map { "set (…\($0.suffix(4)))" }
    }

    /// Which input set last activity: the latest of registration, imported last_active_at, activity events.
    private var lastActivitySource: String? {
        guard let last = member.lastActivityAt else { return nil }
        if last == member.lastEventAt { return "activity event" }
        if last == member.profile.lastActiveAt { return "last_active_at" }
        if last == member.profile.registeredAt { return "registration" }
        return nil
    }

    var text: String {
        var rows: [(String, String)] = []
        // Member data on one line each: a name holding line breaks must not forge rows.
        func add(_ label: String, _ value: String?) {
            let shown = value.map { SensitiveText.withoutControlCharacters($0, keepingNewlines: false) }
            rows.append((label, shown ?? "—"))
        }
        add("name", member.profile.name)
        add("phone", member.profile.phone?.masked)
        add("email", member.profile.email.map(Self.maskEmail))
        add("push token", pushTokenSummary)
        add("wechat openid", openIDSummary)
        add("birthday", member.profile.birthday?.description)
        add("time zone", zone.identifier + (zoneIsDefault ? " (config default)" : ""))
        add("locale", member.profile.locale ?? "(config default)")
        add("tier", member.profile.tier)
        add("region", member.profile.region)
        let registration = [member.profile.registrationChannel, time(member.profile.registeredAt)].compactMap { $0 }
        add("registered", registration.isEmpty ? nil : registration.joined(separator: ", "))
        add("tags", member.profile.tags.isEmpty ? nil : member.profile.tags.joined(separator: "; "))
        add("consents", ChannelKind.allCases.map { "\($0.rawValue) \(member.profile.consent(for: $0).rawValue)" }
            .joined(separator: " · "))
        if let last = member.lastActivityAt {
            let days = Int(now.timeIntervalSince(last) / 86_400)
            add("last activity", "\(time(last)!) (\(days) days ago, from \(lastActivitySource ?? "events"))")
        } else {
            add("last activity", nil)
        }
        add("stored value", member.profile.storedValue.map { value in
            value.description + (member.lastTopupAt.map { " (last top-up \(time($0)!))" } ?? "")
        } ?? "no account")
        add("total spent", member.totalSpent.description)
        let liveLots = member.pointsLots.filter { $0.remaining > 0 && $0.expiresAt > now }
        add("points", "\(member.pointsBalance(at: now)) available in \(liveLots.count) lot(s)")
        add("events", "\(member.eventCount)" + (member.latestEvent.map { ", latest \($0.type) at \(time($0.at)!)" } ?? ""))

        let width = rows.map(\.0.count).max() ?? 0
        var lines = ["Member \(member.id)"]
        lines += rows.map { "  \($0.0)\(String(repeating: " ", count: width - $0.0.count))  \($0.1)" }
        if !member.pointsLots.isEmpty {
            lines.append("  points lots (first-expiring first):")
            for lot in member.pointsLots {
                let state = lot.expiresAt <= now ? "expired" : (lot.remaining == 0 ? "spent" : "live")
                lines.append("    \(lot.remaining)/\(lot.points) expires \(time(lot.expiresAt)!) [\(state)]")
            }
        }
        return lines.joined(separator: "\n")
    }

    var json: JSONOutput {
        let lots = member.pointsLots.map { lot -> JSONOutput in
            .object([("points", .integer(lot.points)), ("remaining", .integer(lot.remaining)),
                     ("earned_at", .optional(time(lot.earnedAt))), ("expires_at", .optional(time(lot.expiresAt)))])
        }
        return .object([
            ("id", .string(member.id)),
            ("name", .optional(member.profile.name)),
            ("phone", .optional(member.profile.phone?.masked)),
            ("email", .optional(member.profile.email.map(Self.maskEmail))),
            ("push_token", .optional(pushTokenSummary)),
            ("wechat_openid", .optional(openIDSummary)),
            ("birthday", .optional(member.profile.birthday?.description)),
            ("timezone", .string(zone.identifier)),
            ("locale", .optional(member.profile.locale)),
            ("tier", .optional(member.profile.tier)),
            ("region", .optional(member.profile.region)),
            ("registration_channel", .optional(member.profile.registrationChannel)),
            ("registered_at", .optional(time(member.profile.registeredAt))),
            ("last_active_at", .optional(time(member.profile.lastActiveAt))),
            ("last_activity_at", .optional(time(member.lastActivityAt))),
            ("tags", .array(member.profile.tags.map(JSONOutput.string))),
            ("consents", .object(ChannelKind.allCases.map { ($0.rawValue, .string(member.profile.consent(for: $0).rawValue)) })),
            ("stored_value", .optional(member.profile.storedValue?.description)),
            ("last_topup_at", .optional(time(member.lastTopupAt))),
            ("total_spent", .string(member.totalSpent.description)),
            ("points_balance", .integer(member.pointsBalance(at: now))),
            ("points_lots", .array(lots)),
            ("event_count", .integer(Int64(member.eventCount))),
        ])
    }
}
