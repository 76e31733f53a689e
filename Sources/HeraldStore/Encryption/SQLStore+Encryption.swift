import HeraldCore
import HeraldCrypto

/// Encryption at rest (issue 17, SPEC 9): opening a store with its keys, and the one place the
/// rest of the store seals and opens text through — so a store without keys reads and writes
/// exactly as before.
extension SQLStore {
    /// Checks `keys` against the store's list of key ids (`store_keys`) and seals from now on:
    /// - a store with key ids refuses to open without `store.key`, and with a key it does not list
    ///   unless its own key is `store.previous_key` (a rotation);
    /// - a new key is listed at once (with `plaintext` when the store already holds unencrypted
    ///   data), so no later open without it can read the store as plain.
    /// `location` names the store in messages.
    @_spi(StoreSQL) public func attach(_ keys: StoreKeys, at location: String, readOnly: Bool) throws {
        let listed = try listedKeyIDs()
        let sealedUnder = listed.subtracting([StoreCipher.plaintextID]).sorted()
        guard let currentKey = keys.current else {
            guard sealedUnder.isEmpty else {
                throw StoreUnavailableError(description: "the store at \(location) is encrypted (key \(sealedUnder.joined(separator: ", "))) "
                    + "and no key was given: set store.key to the key it was encrypted with, such as "
                    + "key: \"{{ secret.HERALD_STORE_KEY }}\" (docs/privacy.md)")
            }
            cipher = nil
            return
        }
        let current = try FieldCipher(key: currentKey)
        let previous = try keys.previous.map(FieldCipher.init(key:)).flatMap { $0.keyID == current.keyID ? nil : $0 }
        let unknown = sealedUnder.filter { $0 != current.keyID && $0 != previous?.keyID }
        guard unknown.isEmpty else {
            throw StoreUnavailableError(description: "the store at \(location) is encrypted under key \(unknown.joined(separator: ", ")), "
                + "but store.key is key \(current.keyID)"
                + (previous.map { " and store.previous_key is key \($0.keyID)" }
                   ?? ": set store.key to the key the store is sealed with (or, to rotate to key \(current.keyID), "
                      + "set store.previous_key to the old key and run herald store rekey)")
                + " (key ids are the first 8 hex digits of a digest of each key; docs/privacy.md)")
        }
        var effective = listed
        if !listed.contains(current.keyID) {
            effective.insert(current.keyID)
            if listed.isEmpty, try holdsSensitiveData() { effective.insert(StoreCipher.plaintextID) }
            if !readOnly {
                let now = SystemWallClock().now().epochSeconds
                let insert = try database.prepare("INSERT INTO store_keys (key_id, added_at) VALUES (?, ?) ON CONFLICT DO NOTHING")
                try database.withTransaction {
                    for id in effective.subtracting(listed).sorted() { _ = try insert.run([.text(id), .integer(now)]) }
                }
            }
        }
        cipher = StoreCipher(current: current, previous: previous, storeKeyIDs: effective)
    }

    private func holdsSensitiveData() throws -> Bool {
        try database.scalarInteger("""
            SELECT CASE WHEN EXISTS (SELECT 1 FROM members) OR EXISTS (SELECT 1 FROM outbox)
                OR EXISTS (SELECT 1 FROM address_suppressions) THEN 1 ELSE 0 END
            """) == 1
    }

    /// The key id new values are sealed under; nil for a store without keys.
    public var encryptionKeyID: String? { cipher?.current.keyID }

    /// An address or name as it is stored (sealed for lookup when the store has keys).
    func storedAddress(_ value: String?) -> String? { cipher?.sealForLookup(value) ?? value }

    /// A text nobody looks up (a body, title, HTML, provider parameters) as it is stored.
    func storedText(_ value: String?) -> String? { cipher?.seal(value) ?? value }

    /// Every form `address` may be stored in: what a lookup binds (`IN (…)`).
    func storedForms(of address: String) -> [String] { cipher?.storedForms(of: address) ?? [address] }

    /// The forms to write `address` in (a suppression entry): during a rotation, read against
    /// `store_keys` as it is now, so no retired form is written after `rekey` finished.
    func storedFormsForWriting(of address: String) throws -> [String] {
        guard let cipher, !cipher.isSettled else { return storedForms(of: address) }
        return cipher.storedForms(of: address, listed: try listedKeyIDs())
    }

    /// `store_keys` as it is now: every key id (or `plaintext`) values may be under.
    private func listedKeyIDs() throws -> Set<String> {
        var listed = Set<String>()
        try database.forEachPage(of: "SELECT key_id FROM store_keys", [], pageSize: 100,
                                 readRow: { listed.insert($0.text(at: 0) ?? "") }, pageDone: {})
        return listed
    }

    /// A stored address, name or text as it was given.
    func opened(_ stored: String?) throws -> String? {
        guard let cipher else { return stored }
        return try cipher.open(stored)
    }
}
