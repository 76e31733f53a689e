import Foundation
import HeraldCrypto

/// How a store with keys keeps its sensitive text (issue 17): each value as
/// `enc1:<key id>:<base64 of nonce ‖ ciphertext ‖ tag>`, sealed under the current key.
/// Addresses and names are sealed for lookup (equal values give equal text, so SQL compares,
/// joins and the import's change detection work unchanged on sealed text); message bodies at
/// random. NULL and the empty string stay as they are (SQL tests `<> ''` for a channel).
///
/// `storeKeyIDs` is the store's own list (`store_keys`): which keys, or `plaintext`, its
/// values may be under. A lookup binds every form a value may be stored in (`storedForms`),
/// so an address is found during a rotation whichever key its row is under yet.
final class StoreCipher: Sendable {
    static let prefix = "enc1:"
    static let plaintextID = "plaintext"

    let current: FieldCipher
    /// Every key that opens values here, by id: the current and, in a rotation, the previous.
    private let openers: [String: FieldCipher]
    /// Keys other than the current one whose values may remain (a rotation in progress).
    let retiring: [FieldCipher]
    /// Whether unencrypted values may remain (a store encrypted since it had data, until rekey).
    let mayHoldPlaintext: Bool

    init(current: FieldCipher, previous: FieldCipher?, storeKeyIDs: Set<String>) {
        self.current = current
        var openers = [current.keyID: current]
        if let previous { openers[previous.keyID] = previous }
        self.openers = openers
        retiring = previous.map { storeKeyIDs.contains($0.keyID) && $0.keyID != current.keyID ? [$0] : [] } ?? []
        mayHoldPlaintext = storeKeyIDs.contains(Self.plaintextID)
    }

    /// Whether `current` is the only form values can be in: a rekey finished.
    var isSettled: Bool { retiring.isEmpty && !mayHoldPlaintext }

    /// An address or name as stored: sealed for lookup under the current key.
    func sealForLookup(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return value }
        return Self.text(current, current.sealForLookup(Array(value.utf8)))
    }

    /// A text nobody looks up (a message's body, title, HTML), sealed with a random nonce.
    func seal(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return value }
        return Self.text(current, current.seal(Array(value.utf8)))
    }

    /// Every text `address` may be stored as: the current key's first, then a retiring key's,
    /// then the address itself while unencrypted values may remain.
    func storedForms(of address: String) -> [String] { storedForms(of: address, listed: nil) }

    /// `storedForms`, limited to the key ids the store still lists (`store_keys` as read now):
    /// what a write puts down, so a worker opened during a rotation stops writing the old
    /// forms once `rekey` has retired them.
    /// `listed` nil: every form this cipher was opened with.
    func storedForms(of address: String, listed: Set<String>?) -> [String] {
        guard !address.isEmpty else { return [address] }
        let plain = Array(address.utf8)
        let keys = [current] + retiring.filter { listed?.contains($0.keyID) ?? true }
        return keys.map { Self.text($0, $0.sealForLookup(plain)) }
            + (mayHoldPlaintext && (listed?.contains(Self.plaintextID) ?? true) ? [address] : [])
    }

    /// Whether `stored` is under a key (or in the clear) this store no longer keeps values
    /// under: a retired twin of an entry, left by a worker that wrote it during a rotation.
    func isRetired(_ stored: String) -> Bool {
        let id = Self.keyID(of: stored)
        if id == current.keyID || retiring.contains(where: { $0.keyID == id }) { return false }
        return id != Self.plaintextID || !mayHoldPlaintext
    }

    /// The value of a stored text: sealed ones opened, unsealed ones as they are (a store
    /// being encrypted holds both until `rekey` is done).
    func open(_ stored: String?) throws -> String? {
        guard let stored, stored.hasPrefix(Self.prefix) else { return stored }
        let body = stored.dropFirst(Self.prefix.count)
        guard let colon = body.firstIndex(of: ":"), let sealed = Data(base64Encoded: String(body[body.index(after: colon)...]))
        else { throw SealedValueError(description: "a stored value starts with \(Self.prefix) but is not sealed text") }
        let keyID = String(body[..<colon])
        guard let opener = openers[keyID] else {
            throw SealedValueError(description: "a stored value is under key \(keyID), which is neither store.key (\(current.keyID)) "
                                   + "nor store.previous_key; set the key it was sealed with")
        }
        do {
            return String(decoding: try opener.open(Array(sealed)), as: UTF8.self)
        } catch {
            throw SealedValueError(description: "a stored value under key \(keyID) does not open: altered, or sealed by another key with the same id")
        }
    }

    /// The key id a stored text is under, `plaintext` for an unsealed one.
    static func keyID(of stored: String) -> String {
        guard stored.hasPrefix(prefix) else { return plaintextID }
        return String(stored.dropFirst(prefix.count).prefix { $0 != ":" })
    }

    private static func text(_ cipher: FieldCipher, _ sealed: [UInt8]) -> String {
        prefix + cipher.keyID + ":" + sealed.base64String
    }
}

/// A stored value that cannot be opened: a missing key, or an altered value.
struct SealedValueError: StoreFailure, CustomStringConvertible {
    var description: String
    var isBusy: Bool { false }
}
