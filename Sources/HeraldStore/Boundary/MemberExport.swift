/// Everything the store holds about one member (`herald members export`, a PIPL access
/// request): each table's rows that belong to them, every column as stored.
public struct MemberExport: Sendable, Equatable {
    public struct Table: Sendable, Equatable {
        public var name: String
        public var columns: [String]
        /// Each row's values in `columns` order, as text (nil: NULL).
        public var rows: [[String?]]
    }

    /// SHA-256 of the member id, hex: how the audit log names whose data was exported.
    public var memberIDHash: String
    public var tables: [Table]
}
