import Foundation
import HeraldCore

/// A prepared statement on either backend. Parameters are 1-based, columns 0-based; reading
/// a NULL column gives `nil`. `step()` runs the statement on its first call and then moves
/// from row to row; `reset()` makes it ready to run again and clears its bindings, so a
/// forgotten one is NULL, not stale.
///
/// Written once, the store's SQL runs on both backends: SQLite's `?` and `?NNN` parameters
/// are what every statement uses (PostgreSQL's implementation numbers them `$N`).
@_spi(StoreSQL) public protocol SQLStatement: AnyObject {
    func bind(_ value: Int64?, at index: Int32) throws
    func bind(_ value: String?, at index: Int32) throws
    func bind(_ value: Double?, at index: Int32) throws

    /// Advances: true when a row is ready to read, false when the statement is done.
    @discardableResult
    func step() throws -> Bool
    func reset()
    /// Binds `values` to parameters 1, 2, …, runs to completion, resets; the rows changed.
    @discardableResult
    func run(_ values: [SQLValue]) throws -> Int
    /// Binds `values` to parameters 1, 2, … and runs the statement; `handle` gets the first
    /// column of its first row (nil: no row). SQLite runs it now. PostgreSQL sends it without
    /// waiting and hands the answer over when the connection next waits for one — the next
    /// statement that reads rows (which shares the round trip), a commit, `COPY` — and a
    /// failure is thrown there: for writes whose failure fails their whole transaction anyway.
    func runDeferred(_ values: [SQLValue], then handle: @escaping (Int64?) -> Void) throws

    var columnCount: Int32 { get }
    /// The result column's name (its `AS` alias).
    func columnName(at column: Int32) -> String?
    func isNull(at column: Int32) -> Bool
    /// An integer column; a boolean expression reads as 1 or 0 on either backend.
    func integer(at column: Int32) -> Int64?
    func real(at column: Int32) -> Double?
    func text(at column: Int32) -> String?
}

extension SQLStatement {
    public func bind(_ value: SQLValue, at index: Int32) throws {
        switch value {
        case .null: try bind(Int64?.none, at: index)
        case .integer(let integer): try bind(integer, at: index)
        case .real(let real): try bind(real, at: index)
        case .text(let text): try bind(text, at: index)
        }
    }

    /// Binds `values` to parameters 1, 2, … after resetting the statement.
    public func bind(_ values: [SQLValue]) throws {
        reset()
        for (offset, value) in values.enumerated() {
            try bind(value, at: Int32(offset + 1))
        }
    }

    /// `run` with the values listed.
    @discardableResult
    public func run(_ values: SQLValue...) throws -> Int {
        try run(values)
    }

    /// An instant stored as whole epoch seconds (how every Herald table keeps time).
    public func instant(at column: Int32) -> Date? {
        integer(at: column).map(Date.init(epochSeconds:))
    }
}
