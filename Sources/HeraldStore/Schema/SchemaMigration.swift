/// One step of the store's schema history. Steps are applied in order, each in its own
/// transaction together with the `schema_version` bump, so a crash leaves a whole version.
public struct SchemaMigration: Sendable {
    public var version: Int
    public var summary: String
    public var sql: String
}
