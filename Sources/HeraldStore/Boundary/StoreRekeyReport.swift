/// What `herald store rekey` re-sealed (`MemberStore.rekey`).
public struct StoreRekeyReport: Sendable, Equatable {
    /// The key everything is now sealed under.
    public var keyID = ""
    public var members = 0
    public var messages = 0
    /// Suppression entries given a form under the current key, and old forms removed after.
    public var suppressions = 0
    public var retiredForms = 0
    /// Key ids (or `plaintext`) no value is under any more.
    public var retiredKeys: [String] = []

    public init() {}
}
