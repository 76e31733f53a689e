import Foundation
import HeraldCore

/// The current row of a candidate query, read by column name: a kind reads its own columns
/// without knowing where the member's end.
struct CandidateRow {
    let statement: SQLiteStatement
    let columns: CandidateColumns

    func integer(_ name: String) -> Int64? { columns[name].flatMap(statement.integer(at:)) }
    func text(_ name: String) -> String? { columns[name].flatMap(statement.text(at:)) }
}

/// A statement's column names resolved to indexes, once per statement.
struct CandidateColumns {
    private let indexes: [String: Int32]

    init(_ statement: SQLiteStatement) {
        var indexes: [String: Int32] = [:]
        for index in 0..<statement.columnCount {
            if let name = statement.columnName(at: index) { indexes[name] = index }
        }
        self.indexes = indexes
    }

    subscript(name: String) -> Int32? { indexes[name] }
}
