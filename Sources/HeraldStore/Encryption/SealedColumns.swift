/// The columns a store with keys seals (`StoreCipher`): the one list that writing, `rekey`
/// and `members export` go by.
enum SealedColumns {
    /// Sealed for lookup: names and addresses, compared and joined in SQL as sealed text.
    static let members = ["name"] + AddressColumn.all.map(\.address)
    static let outboxLookup = ["address"]
    /// Sealed at random: what is only read back whole.
    static let outboxText = ["title", "body", "html", "provider_content", "fallbacks"]
    /// Every sealed column's name (`address_suppressions.address` included).
    static let names = Set(members + outboxLookup + outboxText)
}
