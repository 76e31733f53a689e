/// SPEC 2 `birthday`: the member's local date at T plus `daysBefore` days is the birthday.
public struct BirthdayKind: TriggerKindDefinition {
    public static let name = "birthday"
    public static let paramKeys = ["days_before"]
    public var daysBefore: Int

    public init(daysBefore: Int = 0) {
        self.daysBefore = daysBefore
    }

    public static func read(_ params: JSONObjectReader, file: JSONObjectReader) -> BirthdayKind? {
        BirthdayKind(daysBefore: params.integer("days_before", in: SettingRange.daysBefore) ?? 0)
    }

    public var triggerKind: TriggerKind { .birthday(self) }
}
