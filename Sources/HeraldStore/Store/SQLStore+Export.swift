import Foundation
import HeraldCore
import HeraldCrypto

/// `herald members export`: a member's rows, table by table.
extension SQLStore {
    /// The tables that hold a member's rows, and how each finds them from `members.key`.
    static let memberTables: [(name: String, condition: String, order: String)] = [
        ("members", "key = ?", "key"),
        ("member_state", "member_key = ?", "member_key"),
        ("member_tags", "member_key = ?", "tag"),
        ("events", "member_key = ?", "at, key"),
        ("points_lots", "member_key = ?", "earned_at, key"),
        ("outbox", "member_key = ?", "scheduled_at, key"),
        ("delivery_attempts", "outbox_key IN (SELECT key FROM outbox WHERE member_key = ?)", "outbox_key, attempt"),
        ("occurrences", "member_key = ?", "scheduled_at, trigger_id, occurrence_key"),
        ("suppressions", "member_key = ?", "trigger_id, occurrence_key"),
        ("address_suppressions", "EXISTS (SELECT 1 FROM members m WHERE m.key = ? "
            + "AND address_suppressions.address IN (\(AddressColumn.addressList(of: "m"))))", "created_at, address"),
    ]

    public func exportMember(id: String) throws -> MemberExport? {
        guard let key = try database.scalarInteger("SELECT key FROM members WHERE id = ?", .text(id)) else { return nil }
        var tables: [MemberExport.Table] = []
        for table in Self.memberTables {
            let statement = try database.prepare("SELECT * FROM \(table.name) WHERE \(table.condition) ORDER BY \(table.order)")
            try statement.bind([.integer(key)])
            var columns: [String] = []
            var rows: [[String?]] = []
            while try statement.step() {
                if columns.isEmpty { columns = (0..<statement.columnCount).map { statement.columnName(at: $0) ?? "" } }
                // Sealed values opened: the member is owed their data, not its ciphertext.
                rows.append(try (0..<statement.columnCount).map { column in
                    let text = statement.text(at: column)
                    return SealedColumns.names.contains(columns[Int(column)]) ? try opened(text) : text
                })
            }
            statement.reset()
            tables.append(MemberExport.Table(name: table.name, columns: columns, rows: rows))
        }
        return MemberExport(memberIDHash: Digest.sha256(id).hexString, tables: tables)
    }
}
