import Foundation
import HeraldCore

/// The address suppression list (`address_suppressions`, keyed by the address as stored:
/// E.164 phones, e-mails as written, openids and push tokens).
extension SQLStore {
    public func suppress(_ addresses: [SuppressibleAddress], reason: String, at: Date) throws -> Int {
        try database.withTransaction {
            let insert = try database.prepare("""
                INSERT INTO address_suppressions (address, kind, reason, provider, outbox_key, created_at)
                VALUES (?, ?, ?, NULL, NULL, ?) ON CONFLICT DO NOTHING
                """)
            var added = 0
            for address in Set(addresses) {
                added += try insert.run([.text(address.address), .text(address.kind.rawValue), .text(reason),
                                         .integer(at.epochSeconds)])
            }
            return added
        }
    }

    public func unsuppress(_ addresses: [SuppressibleAddress]) throws -> Int {
        try database.withTransaction {
            let delete = try database.prepare("DELETE FROM address_suppressions WHERE address = ?")
            var removed = 0
            for address in Set(addresses) { removed += try delete.run([.text(address.address)]) }
            return removed
        }
    }

    public func forEachSuppressedAddress(kind: ChannelKind?, only addresses: [SuppressibleAddress],
                                         _ body: (AddressSuppression) throws -> Void) throws {
        var conditions: [String] = []
        var parameters: [SQLValue] = []
        if let kind {
            conditions.append("kind = ?")
            parameters.append(.text(kind.rawValue))
        }
        if !addresses.isEmpty {
            conditions.append("address IN (\(Array(repeating: "?", count: addresses.count).joined(separator: ", ")))")
            parameters += addresses.map { .text($0.address) }
        }
        let condition = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        try database.forEachPage(of: "SELECT address, kind, reason, provider, created_at FROM address_suppressions"
                                     + condition + " ORDER BY created_at, address",
                                 parameters, pageSize: 1_000, readRow: { row in
            let kind = ChannelKind(rawValue: row.text(at: 1) ?? "") ?? .sms
            try body(AddressSuppression(address: SuppressibleAddress(kind: kind, address: row.text(at: 0) ?? ""),
                                        reason: row.text(at: 2) ?? "", provider: row.text(at: 3),
                                        createdAt: Date(timeIntervalSince1970: TimeInterval(row.integer(at: 4) ?? 0))))
        }, pageDone: {})
    }
}
