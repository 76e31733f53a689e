/// A failed SQLite call: the result code, SQLite's own message, and what Herald was doing.
public struct SQLiteError: Error, Sendable, CustomStringConvertible {
    public var code: Int32
    public var message: String
    public var context: String

    public var description: String { "SQLite error \(code) while \(context): \(message)" }
}
