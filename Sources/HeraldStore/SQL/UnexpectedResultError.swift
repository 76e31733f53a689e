/// A statement answered what its SQL cannot answer (no row from `INSERT … RETURNING`): a
/// fault of the database or of Herald, reported instead of trapping.
@_spi(StoreSQL) public struct UnexpectedResultError: StoreFailure, CustomStringConvertible {
    public var statement: String
    public var expected: String
    public var isBusy: Bool { false }
    public var description: String { "\(statement) did not return \(expected)" }
}
