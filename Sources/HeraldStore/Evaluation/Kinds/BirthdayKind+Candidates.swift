import Foundation
import HeraldCore

/// Members whose birthday falls on one of the month/days some zone is celebrating (the
/// `members_birthday` index); the member's own local date is checked per row.
extension BirthdayKind: CandidateSource {
    func queryParts(_ context: CandidateQueryContext) -> CandidateQueryParts {
        var parts = CandidateQueryParts(from: CandidateQueryParts.memberTables)
        let pairs = BirthdayRule.candidateMonthDays(at: context.instant, daysBefore: daysBefore)
        let dates = pairs.map { _ in "(m.birth_month = ? AND m.birth_day = ?)" }
        parts.conditions.append("(" + dates.joined(separator: " OR ") + ")")
        for pair in pairs { parts.conditionParameters += [.integer(Int64(pair.month)), .integer(Int64(pair.day))] }
        // Exact only while every zone celebrates in one year (all but the days around New Year).
        let years = BirthdayRule.celebratedYears(at: context.instant, daysBefore: daysBefore)
        if years.count == 1, let year = years.first {
            parts.occurrenceKey = "?"
            parts.occurrenceKeyParameters = [.text("birthday:\(year)")]
        }
        return parts
    }

    func read(_ row: CandidateRow, member: MemberRow, zone: TimeZone, context: CandidateQueryContext,
              into candidate: inout TriggerCandidate) -> Bool {
        guard let birthday = member.profile.birthday,
              let celebrated = BirthdayRule.celebratedDate(of: birthday, at: context.instant, in: zone,
                                                           daysBefore: daysBefore)
        else { return false }
        candidate.occurrenceKey = "birthday:\(celebrated.year)"
        return true
    }
}
