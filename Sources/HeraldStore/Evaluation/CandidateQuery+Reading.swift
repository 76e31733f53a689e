import Foundation
import HeraldCore

extension CandidateQuery {
    /// Runs the query and hands each candidate to `body`, one row at a time (memory stays
    /// flat however many members match).
    public func forEachCandidate(in store: MemberStore, zones: TimeZoneResolver,
                                 _ body: (TriggerCandidate) throws -> Void) throws {
        let statement = try store.database.prepare(sql)
        try statement.bind(parameters)
        while try statement.step() {
            let row = MemberRow(statement)
            let zone = zones.zone(named: row.profile.timeZone)
            let member = CandidateMember(key: row.key, id: row.id, profile: row.profile, totalSpent: row.totalSpent,
                                         pointsBalance: statement.integer(at: MemberRow.count), timeZone: zone,
                                         locale: row.profile.locale ?? defaultLocale)
            var candidate = TriggerCandidate(member: member, occurrenceKey: "")
            if let kinds = statement.text(at: MemberRow.count + 1) {
                candidate.member.suppressedKinds = Set(kinds.split(separator: ",").compactMap { ChannelKind(rawValue: String($0)) })
            }
            if let problem = row.dataProblem ?? MemberRow.pointsProblem(member.pointsBalance, "points balance") {
                // Evaluated no further (its values could not be trusted in date arithmetic):
                // suppressed as invalid_data, once per trigger and member.
                candidate.dataProblem = problem
            } else if !readKindColumns(of: statement, row: row, zone: zone, into: &candidate) {
                continue
            }
            try body(candidate)
        }
    }

    /// The kind's own columns (after the member's): the occurrence key and the values the
    /// kind supplies to templates, or a `dataProblem`. False when the row turns out not to
    /// be a candidate after all (a birthday on another local date, activity too recent).
    private func readKindColumns(of statement: SQLiteStatement, row: MemberRow, zone: TimeZone,
                                 into candidate: inout TriggerCandidate) -> Bool {
        let t = instant.epochSeconds
        // After the member's columns: the points balance, the suppressed kinds, then the kind's own.
        let extra = MemberRow.count + 2
        switch trigger.kind {
        case .birthday(let daysBefore):
            guard let birthday = row.profile.birthday,
                  let celebrated = BirthdayRule.celebratedDate(of: birthday, at: instant, in: zone, daysBefore: daysBefore)
            else { return false }
            candidate.occurrenceKey = "birthday:\(celebrated.year)"
        case .inactivity(let days, let maxDays, _):
            guard let last = statement.integer(at: extra) else { return false }
            guard MemberRow.isSupported(epochSeconds: last) else {
                candidate.dataProblem = "an activity event at \(last) s is outside 1900–2200"
                return true
            }
            let inactiveSeconds = t - last
            guard inactiveSeconds >= Int64(days) * 86_400, maxDays.map({ inactiveSeconds < Int64($0) * 86_400 }) ?? true
            else { return false }
            candidate.occurrenceKey = "inactivity:\(InstantFormatter.utcString(from: Date(epochSeconds: last)))"
            candidate.values["inactive_days"] = .number(inactiveSeconds / 86_400)
        case .cartAbandonment:
            candidate.occurrenceKey = "cart:\(statement.text(at: extra) ?? "")"
            candidate.values["cart.sku"] = statement.text(at: extra + 1).map(TemplateValue.text)
            candidate.values["cart.category"] = statement.text(at: extra + 2).map(TemplateValue.text)
        case .lowBalance:
            candidate.occurrenceKey = "low_balance:" + (row.lastTopupAt.map(InstantFormatter.utcString) ?? "initial")
        case .pointsExpiry:
            let expiry = statement.integer(at: extra + 1) ?? t
            guard MemberRow.isSupported(epochSeconds: expiry) else {
                candidate.dataProblem = "a points lot expiring at \(expiry) s is outside 1900–2200"
                return true
            }
            if let problem = MemberRow.pointsProblem(statement.integer(at: extra), "expiring points") {
                candidate.dataProblem = problem
                return true
            }
            let firstExpiry = LocalTime.date(of: Date(epochSeconds: expiry), in: zone)
            candidate.occurrenceKey = "points:\(firstExpiry)"
            candidate.values["points.expiring"] = .number(statement.integer(at: extra) ?? 0)
            candidate.values["points.expires_on"] = .date(firstExpiry)
        case .event:
            candidate.occurrenceKey = "event:\(statement.text(at: extra) ?? "")"
            candidate.values["event.amount"] = statement.integer(at: extra + 1).map { .money(Money(fen: $0)) }
            candidate.values["event.sku"] = statement.text(at: extra + 2).map(TemplateValue.text)
            candidate.values["event.category"] = statement.text(at: extra + 3).map(TemplateValue.text)
        }
        return true
    }
}
