import Foundation
import HeraldCore

/// A statement's column names resolved to indexes, once per statement.
struct CandidateColumns {
    private let indexes: [String: Int32]

    init(_ statement: any SQLStatement) {
        var indexes: [String: Int32] = [:]
        for index in 0..<statement.columnCount {
            if let name = statement.columnName(at: index) { indexes[name] = index }
        }
        self.indexes = indexes
    }

    subscript(name: String) -> Int32? { indexes[name] }
}
