import Foundation
import HeraldCore

/// The address suppression list (`address_suppressions`, keyed by the address as stored:
/// E.164 phones, e-mails as written, openids and push tokens — sealed when the store has keys,
/// in every form an address may be stored in while keys rotate, so each member row matches).
extension SQLStore {
    public func suppress(_ addresses: [SuppressibleAddress], reason: String, at: Date) throws -> Int {
        try database.withTransaction {
            let insert = try database.prepare("""
                INSERT INTO address_suppressions (address, kind, reason, provider, outbox_key, created_at)
                VALUES (?, ?, ?, NULL, NULL, ?) ON CONFLICT DO NOTHING
                """)
            var added = 0
            for address in Set(addresses) {
                // Counted by the current form: one address is one entry, however many forms it has.
                for (index, form) in try storedFormsForWriting(of: address.address).enumerated() {
                    let inserted = try insert.run([.text(form), .text(address.kind.rawValue), .text(reason),
                                                   .integer(at.epochSeconds)])
                    if index == 0 { added += inserted }
                }
            }
            return added
        }
    }

    public func unsuppress(_ addresses: [SuppressibleAddress]) throws -> Int {
        try database.withTransaction {
            let delete = try database.prepare("DELETE FROM address_suppressions WHERE address = ?")
            var removed = 0
            for address in Set(addresses) {
                let forms = storedForms(of: address.address)
                if try forms.map({ try delete.run([.text($0)]) }).reduce(0, +) > 0 { removed += 1 }
            }
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
            let forms = addresses.flatMap { storedForms(of: $0.address) }
            conditions.append("address IN (\(Array(repeating: "?", count: forms.count).joined(separator: ", ")))")
            parameters += forms.map { .text($0) }
        }
        let condition = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        try database.forEachPage(of: "SELECT address, kind, reason, provider, created_at FROM address_suppressions"
                                     + condition + " ORDER BY created_at, address",
                                 parameters, pageSize: 1_000, readRow: { row in
            let kind = ChannelKind(rawValue: row.text(at: 1) ?? "") ?? .sms
            // A retired twin (written during a rotation that has finished) is not an entry of its own.
            if let stored = row.text(at: 0), cipher?.isRetired(stored) == true { return }
            let address: String
            do { address = try opened(row.text(at: 0)) ?? "" } catch { address = "(sealed; does not open with store.key)" }
            try body(AddressSuppression(address: SuppressibleAddress(kind: kind, address: address),
                                        reason: row.text(at: 2) ?? "", provider: row.text(at: 3),
                                        createdAt: Date(timeIntervalSince1970: TimeInterval(row.integer(at: 4) ?? 0))))
        }, pageDone: {})
    }
}
