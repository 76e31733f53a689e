/// SPEC 2 `cart_abandonment`: the latest `cart_add` (in `categories` when set) lies between
/// T − `within` and T − `after`, with no purchase after it.
public struct CartAbandonmentKind: TriggerKindDefinition {
    public static let name = "cart_abandonment"
    public static let paramKeys = ["after", "within", "categories"]
    public var after: TimeSpan
    public var within: TimeSpan
    public var categories: [String]

    public init(after: TimeSpan = TimeSpan(seconds: 2 * 3600), within: TimeSpan = TimeSpan(seconds: 72 * 3600),
                categories: [String] = []) {
        self.after = after
        self.within = within
        self.categories = categories
    }

    public static func read(_ params: JSONObjectReader, file: JSONObjectReader) -> CartAbandonmentKind? {
        let defaults = CartAbandonmentKind()
        let after = params.timeSpan("after", in: SettingRange.eventDelay) ?? defaults.after
        let within = params.timeSpan("within", in: SettingRange.eventWithin) ?? defaults.within
        if within <= after {
            params.problem(at: params.position, "params: within (\(within)) must be longer than after (\(after))")
            return nil
        }
        return CartAbandonmentKind(after: after, within: within, categories: params.strings("categories") ?? [])
    }

    public var suppliedValues: Set<String> { ["cart.sku", "cart.category"] }

    /// With `categories`, every candidate's cart has one of them: `cart.category` needs no default.
    public var optionalValues: Set<String> {
        categories.isEmpty ? Self.commonOptionalValues : Self.commonOptionalValues.subtracting(["cart.category"])
    }
    public var triggerKind: TriggerKind { .cartAbandonment(self) }
}
