import HeraldCore

/// Tables for people: columns padded to their widest cell in terminal columns, so Chinese
/// text lines up; the last column is left ragged.
enum TextTable {
    static func aligned(_ rows: [[String]], rightAligned: Set<Int> = []) -> [String] {
        guard let columns = rows.map(\.count).max() else { return [] }
        let widths = (0..<columns).map { column in rows.map { column < $0.count ? $0[column].displayWidth : 0 }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in
                if column == row.count - 1 && !rightAligned.contains(column) { return cell }
                guard rightAligned.contains(column) else { return cell.paddedToDisplayWidth(widths[column]) }
                return String(repeating: " ", count: widths[column] - cell.displayWidth) + cell
            }.joined(separator: "  ")
        }
    }
}
