/// The six trigger kinds of SPEC 2 and SPEC 10's broadcast, each with its own definition type (params read, defaults
/// applied). Every `switch` over it is exhaustive: adding a kind is found by the compiler.
public enum TriggerKind: Sendable, Equatable {
    case birthday(BirthdayKind)
    case inactivity(InactivityKind)
    case cartAbandonment(CartAbandonmentKind)
    case lowBalance(LowBalanceKind)
    case pointsExpiry(PointsExpiryKind)
    case event(EventKind)
    case broadcast(BroadcastKind)

    /// Every kind a trigger file may name, in SPEC order.
    public static let definitions: [any TriggerKindDefinition.Type] = [
        BirthdayKind.self, InactivityKind.self, CartAbandonmentKind.self, LowBalanceKind.self, PointsExpiryKind.self,
        EventKind.self, BroadcastKind.self,
    ]

    public static var names: [String] { definitions.map { $0.name } }

    public var definition: any TriggerKindDefinition {
        switch self {
        case .birthday(let kind): kind
        case .inactivity(let kind): kind
        case .cartAbandonment(let kind): kind
        case .lowBalance(let kind): kind
        case .pointsExpiry(let kind): kind
        case .event(let kind): kind
        case .broadcast(let kind): kind
        }
    }

    public var name: String { type(of: definition).name }

    /// The placeholders this kind supplies beyond those every trigger has (SPEC 1.3, 2).
    public var suppliedValues: Set<String> { definition.suppliedValues }

    /// The `event.<name>` values an event trigger declares in `params.attributes`; none for other kinds.
    public var eventAttributePaths: [String] {
        if case .event(let kind) = self { kind.attributePaths } else { [] }
    }

    /// Values a member or event may lack: a template must give them a `default`.
    public var optionalValues: Set<String> { definition.optionalValues }
}
