import Foundation
import HeraldCore

/// An import cannot give consent back to an address on the suppression list (an opt-out
/// reply, a provider's "unreachable", an operator's `suppress add`): a row that turns a
/// channel's consent to `yes` (it was not `yes` in the store) while the channel's address —
/// the row's own, else the stored one — is listed gets `no`, with a warning, unless the import
/// is run with `--allow-suppressed`. A `yes` the store already holds stays. Reads through a
/// connection of its own (an importer on PostgreSQL has a COPY running on its connection),
/// and only while the list has entries. The list is read once when short (a snapshot: an
/// address listed during the import is caught by planning and the re-check before each call).
final class SuppressedConsentGuard {
    private let store: SQLStore
    private let storedAddresses: any SQLStatement
    private let listed: any SQLStatement
    /// The whole list, when it is short enough to hold (most are): a lookup then costs no
    /// statement — on PostgreSQL, no round trip per row.
    private let heldList: Set<String>?

    /// Up to this many entries are held in memory (about 10 MB); a longer list is probed per row.
    static let heldListLimit = 100_000

    /// Reads `importing`'s store, with its keys. `heldListLimit`: the longest list held in
    /// memory (tests lower it to take the probe path).
    init(of importing: SQLStore, heldListLimit: Int = SuppressedConsentGuard.heldListLimit) throws {
        switch importing.location {
        case .sqlite(let path): store = try SQLStore(readingAt: path)
        case .postgres(let url): store = try SQLStore(postgres: url, readOnly: true)
        }
        store.cipher = importing.cipher
        let columns = AddressColumn.all.map(\.address) + AddressColumn.all.map(\.consent)
        storedAddresses = try store.database.prepare("SELECT \(columns.joined(separator: ", ")) FROM members WHERE id = ?")
        // One placeholder per form an address may be stored in (more than one only while keys rotate).
        let forms = store.storedForms(of: "x").count
        listed = try store.database.prepare("SELECT count(*) FROM address_suppressions WHERE address IN ("
                                            + Array(repeating: "?", count: forms).joined(separator: ", ") + ")")
        let entries = try store.database.scalarInteger("SELECT count(*) FROM address_suppressions") ?? 0
        if entries <= heldListLimit {
            var held = Set<String>()
            try store.database.forEachPage(of: "SELECT address FROM address_suppressions", [], pageSize: 10_000,
                                           readRow: { held.insert($0.text(at: 0) ?? "") }, pageDone: {})
            heldList = held
        } else {
            heldList = nil
        }
    }

    /// Whether `address` (as given, not as stored) is listed, in any form it may be stored in.
    private func isListed(_ address: String) throws -> Bool {
        let forms = store.storedForms(of: address)
        if let heldList { return forms.contains(where: heldList.contains) }
        try listed.bind(forms.map { .text($0) })
        defer { listed.reset() }
        return try listed.step() && (listed.integer(at: 0) ?? 0) > 0
    }

    /// Sets `no` where the row would consent to a listed address; the warning, nil when none.
    func check(_ record: inout MemberRecord) throws -> String? {
        let consenting = AddressColumn.all.filter {
            record.providedFields.contains($0.consentField) && record.profile.consent(for: $0.kind) == .yes
        }
        guard !consenting.isEmpty else { return nil }
        // The stored row, read only when needed: most rows carry their own address, and most
        // addresses are not listed.
        var stored: (addresses: [ChannelKind: String], consents: [ChannelKind: String])?
        func storedRow() throws -> (addresses: [ChannelKind: String], consents: [ChannelKind: String]) {
            if let stored { return stored }
            var row: (addresses: [ChannelKind: String], consents: [ChannelKind: String]) = ([:], [:])
            try storedAddresses.bind([.text(record.id)])
            if try storedAddresses.step() {
                let count = AddressColumn.all.count
                for (index, column) in AddressColumn.all.enumerated() {
                    row.addresses[column.kind] = try store.opened(storedAddresses.text(at: Int32(index)))
                    row.consents[column.kind] = storedAddresses.text(at: Int32(count + index))
                }
            }
            storedAddresses.reset()
            stored = row
            return row
        }
        var refused: [String] = []
        for channel in consenting {
            let address = record.providedFields.contains(channel.addressField) ? record.profile.address(for: channel.kind)
                : try storedRow().addresses[channel.kind]
            guard let address else { continue }
            guard try isListed(address), try storedRow().consents[channel.kind] != "yes" else { continue }
            record.profile.consents[channel.kind] = .no
            refused.append("\(channel.consentField.rawValue) yes not applied: "
                + "\(AddressMask.masked(address, kind: channel.kind)) is on the suppression list")
        }
        guard !refused.isEmpty else { return nil }
        return refused.joined(separator: "; ") + " (stored as no; import with --allow-suppressed to keep yes)"
    }
}
