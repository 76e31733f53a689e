/// What one trigger kind of SPEC 2 is outside the store: its name, its params (read with
/// file:line:column problems, defaults applied) and the placeholders it supplies.
///
/// The same type's store side — its candidate SQL, its occurrence key and the reading of its
/// row — is the extension `<Kind>+Candidates.swift` in HeraldStore, so each kind has one home
/// per module and a new kind is a new type plus one case in `TriggerKind`.
public protocol TriggerKindDefinition: Sendable, Equatable {
    /// The `kind` a trigger file names.
    static var name: String { get }
    /// The keys `params` may hold.
    static var paramKeys: [String] { get }
    /// Reads `params` (a problem is reported and nil returned when they are wrong);
    /// `file` is the trigger file, for checks that need its path or log.
    static func read(_ params: JSONObjectReader, file: JSONObjectReader) -> Self?
    /// The placeholders this kind supplies beyond those every trigger has (SPEC 1.3, 2).
    var suppliedValues: Set<String> { get }
    /// Values a member or event may lack for this kind: a template must give them a `default`.
    var optionalValues: Set<String> { get }
    /// This definition as the catalog's `TriggerKind`.
    var triggerKind: TriggerKind { get }
}

extension TriggerKindDefinition {
    public var suppliedValues: Set<String> { [] }

    public var optionalValues: Set<String> { Self.commonOptionalValues }

    /// A member's name, tier and stored value, and whatever a cart or event lacks: what a kind
    /// that knows better narrows (or widens) for its own candidates.
    public static var commonOptionalValues: Set<String> {
        ["member.name", "member.tier", "member.stored_value", "cart.sku", "cart.category", "event.amount", "event.sku",
         "event.category"]
    }
}
