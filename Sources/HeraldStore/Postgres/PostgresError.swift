/// A PostgreSQL failure: the server's SQLSTATE (`42P01` undefined table, `23505` unique
/// violation, `40001` serialization failure, …) when it gave one.
@_spi(StoreSQL) public struct PostgresError: StoreFailure, CustomStringConvertible {
    public var state: String?
    public var message: String
    /// The connection is gone (the server stopped, the network dropped it): the next use
    /// connects again.
    public var isConnectionLost = false

    public init(state: String?, message: String, isConnectionLost: Bool = false) {
        self.state = state
        self.message = message
        self.isConnectionLost = isConnectionLost
    }

    public var description: String { state.map { "PostgreSQL \($0): \(message)" } ?? "PostgreSQL: \(message)" }

    /// Another transaction held what this one needed past `lock_timeout` (55P03), or the two
    /// deadlocked (40P01) or could not be serialized (40001): a reason to try again, not a fault.
    public var isBusy: Bool { ["55P03", "40P01", "40001"].contains(state ?? "") }

    /// Class 23, integrity constraint violation (`23505` unique, …).
    public var isConstraintViolation: Bool { state?.hasPrefix("23") ?? false }
}
