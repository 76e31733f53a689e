@_spi(StoreSQL) import HeraldStore

extension SQLStore {
    /// The first column of every row `sql` returns, as text ("NULL" for NULL): what tests
    /// compare a store's state with.
    @_spi(StoreSQL) public func column(_ sql: String) throws -> [String] {
        let rows = try database.prepare(sql)
        var values: [String] = []
        while try rows.step() { values.append(rows.text(at: 0) ?? "NULL") }
        return values
    }
}
