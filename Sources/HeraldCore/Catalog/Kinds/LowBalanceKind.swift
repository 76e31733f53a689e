/// SPEC 2 `low_balance`: the member has a stored value and 0 ≤ balance < `below`.
public struct LowBalanceKind: TriggerKindDefinition {
    public static let name = "low_balance"
    public static let paramKeys = ["below"]
    public var below: Money

    public init(below: Money) {
        self.below = below
    }

    public static func read(_ params: JSONObjectReader, file: JSONObjectReader) -> LowBalanceKind? {
        guard let value = params["below"] else {
            params.missing("below", "an amount in yuan such as 200")
            return nil
        }
        guard case .number(let text) = value.kind, let below = Money(yuan: text),
              SettingRange.balanceBelowYuan.contains(Double(below.fen) / 100) else {
            params.expected("below", "an amount in yuan from 0.01 to 100000000 such as 200", found: value)
            return nil
        }
        return LowBalanceKind(below: below)
    }

    /// Every candidate has a stored value: it is what the condition tests.
    public var optionalValues: Set<String> { Self.commonOptionalValues.subtracting(["member.stored_value"]) }

    public var triggerKind: TriggerKind { .lowBalance(self) }
}
