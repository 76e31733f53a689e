import Foundation
import HeraldCore

/// What every kind's query is built against: the evaluation instant and the store's defaults.
struct CandidateQueryContext {
    var instant: Date
    var defaultTimeZone: TimeZone
    /// The backend the query is written for.
    var dialect: SQLDialect
    /// T in epoch seconds, as the store keeps instants.
    var instantSeconds: Int64 { instant.epochSeconds }
}
