import Foundation
import HeraldCore

/// The current row of a candidate query, read by column name: a kind reads its own columns
/// without knowing where the member's end. Names resolve once per query.
struct CandidateRow {
    let statement: SQLiteStatement
    private let indexes: [String: Int32]

    init(_ statement: SQLiteStatement) {
        self.statement = statement
        var indexes: [String: Int32] = [:]
        for index in 0..<statement.columnCount {
            if let name = statement.columnName(at: index) { indexes[name] = index }
        }
        self.indexes = indexes
    }

    func integer(_ name: String) -> Int64? { indexes[name].flatMap(statement.integer(at:)) }
    func text(_ name: String) -> String? { indexes[name].flatMap(statement.text(at:)) }
}
