import Foundation
import HeraldCore

/// A trigger kind's store side: its share of the candidate query and the reading of the
/// columns it adds. Each kind's definition type conforms in `Kinds/<Kind>+Candidates.swift`.
protocol CandidateSource {
    func queryParts(_ context: CandidateQueryContext) -> CandidateQueryParts

    /// Reads the kind's named columns into `candidate`: the occurrence key and the values the
    /// kind supplies to templates, or a `dataProblem`. False when the row turns out not to be
    /// a candidate after all (a birthday on another local date, activity too recent).
    func read(_ row: CandidateRow, member: MemberRow, zone: TimeZone, context: CandidateQueryContext,
              into candidate: inout TriggerCandidate) -> Bool
}

extension TriggerKind {
    /// The kind's store side; exhaustive, so a new kind without one does not compile.
    var candidateSource: any CandidateSource {
        switch self {
        case .birthday(let kind): kind
        case .inactivity(let kind): kind
        case .cartAbandonment(let kind): kind
        case .lowBalance(let kind): kind
        case .pointsExpiry(let kind): kind
        case .event(let kind): kind
        case .broadcast(let kind): kind
        }
    }
}
