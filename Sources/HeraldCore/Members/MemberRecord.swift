/// One validated member row, ready to upsert. `providedFields` says which columns the
/// source carried: a column that is absent keeps the stored value, a column that is
/// present but empty clears it (consents: back to unknown).
public struct MemberRecord: Sendable, Equatable {
    public var id: String
    public var providedFields = MemberFieldSet([MemberField.id])
    public var profile = MemberProfile()

    public init(id: String) {
        self.id = id
    }
}
