import HeraldCore

/// What `StoreCopier.copy` did: per table, the rows and checksum read from the source while
/// copying, and the rows and checksum read back from the target afterwards.
public struct StoreCopyReport: Sendable {
    public struct Table: Sendable {
        public var name: String
        public var sourceRows: Int
        public var sourceChecksum: UInt128
        public var targetRows = 0
        public var targetChecksum: UInt128 = 0

        public var matches: Bool { sourceRows == targetRows && sourceChecksum == targetChecksum }
    }

    public var tables: [Table] = []
    public var seconds = 0.0

    public var matches: Bool { tables.allSatisfy(\.matches) }
    public var rows: Int { tables.reduce(0) { $0 + $1.sourceRows } }
}
