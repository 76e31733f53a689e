import Foundation

/// The keys a store is opened with (`store.key`, `store.previous_key`; SPEC 9): none for an
/// unencrypted store; the current key seals everything written; the previous one, during a
/// rotation only, still opens what `herald store rekey` has not re-sealed yet.
public struct StoreKeys: Sendable, Equatable {
    public var current: [UInt8]?
    public var previous: [UInt8]?

    public static let none = StoreKeys(current: nil, previous: nil)

    /// The sandbox's fixed development key (`Sandbox/herald.json5`): public, so that trying
    /// Herald exercises the encrypted store. Never for real members.
    public static let sandboxKeyText = "aGVyYWxkLXNhbmRib3gtZGV2LWtleS1wdWJsaWMhISE="

    public init(current: [UInt8]?, previous: [UInt8]? = nil) {
        self.current = current
        self.previous = previous
    }

    public struct KeyTextError: Error, CustomStringConvertible {
        public var description: String
    }

    /// A key as written in the config or a credential: 32 bytes in standard base64 (with or
    /// without padding, surrounding white space ignored). `setting` names it in the error.
    public static func decode(_ text: String, setting: String) throws -> [UInt8] {
        var trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        while trimmed.count % 4 != 0 { trimmed += "=" }
        guard let data = Data(base64Encoded: trimmed) else {
            throw KeyTextError(description: "\(setting): expected 32 bytes in base64 (44 characters, "
                               + "such as the output of `openssl rand -base64 32`), found \(text.count) characters "
                               + "that are not base64")
        }
        guard data.count == 32 else {
            throw KeyTextError(description: "\(setting): expected 32 bytes in base64 (`openssl rand -base64 32`), "
                               + "found \(data.count) bytes")
        }
        return Array(data)
    }
}
