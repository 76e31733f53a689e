import Foundation
import HeraldCore

/// The current row of a candidate query, read by column name: a kind reads its own columns
/// without knowing where the member's end.
struct CandidateRow {
    let statement: any SQLStatement
    let columns: CandidateColumns

    func integer(_ name: String) -> Int64? { columns[name].flatMap(statement.integer(at:)) }
    func text(_ name: String) -> String? { columns[name].flatMap(statement.text(at:)) }
}
