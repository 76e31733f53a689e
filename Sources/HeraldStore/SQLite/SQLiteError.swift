/// A failed SQLite call: the result code, SQLite's own message, and what Herald was doing.
@_spi(StoreSQL) public struct SQLiteError: StoreFailure, Sendable, CustomStringConvertible {
    public var code: Int32
    public var message: String
    public var context: String

    public var description: String { "SQLite error \(code) while \(context): \(message)" }

    /// Another connection held the lock past the busy timeout (`SQLITE_BUSY`, `SQLITE_LOCKED`
    /// and their extended codes): a reason to try again, not a fault.
    public var isBusy: Bool { code & 0xFF == 5 || code & 0xFF == 6 }

    /// `SQLITE_CONSTRAINT` and its extended codes.
    public var isConstraintViolation: Bool { code & 0xFF == 19 }
}
