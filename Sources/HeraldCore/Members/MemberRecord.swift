import Foundation

/// One validated member row, ready to upsert. `providedFields` says which columns the
/// source carried: a column that is absent keeps the stored value, a column that is
/// present but empty clears it (consents: back to unknown).
public struct MemberRecord: Sendable, Equatable {
    public var id: String
    public var providedFields = MemberFieldSet([MemberField.id])
    public var name: String?
    public var phone: PhoneNumber?
    public var email: String?
    public var pushToken: String?
    public var birthday: Birthday?
    public var timeZone: String?
    public var locale: String?
    public var tier: String?
    public var region: String?
    public var registrationChannel: String?
    public var registeredAt: Date?
    public var lastActiveAt: Date?
    /// Sorted, without duplicates, so that re-importing the same tags in another order changes nothing.
    public var tags: [String] = []
    public var storedValue: Money?
    public var consents: [ChannelKind: Consent] = [:]

    public init(id: String) {
        self.id = id
    }

    /// Tags as stored on the member row (`a;b;c`); NULL when none.
    public var tagsText: String? { tags.isEmpty ? nil : tags.joined(separator: ";") }
}
