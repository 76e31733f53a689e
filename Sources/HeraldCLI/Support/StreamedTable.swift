/// A table printed as its rows arrive, aligned a page (1,000 rows) at a time: memory stays
/// flat however long the list (`herald audit`, `herald suppress list`). A long table's later
/// pages are aligned among themselves.
struct StreamedTable {
    private let header: [String]
    private let rightAligned: Set<Int>
    private let console: Console
    private var page: [[String]] = []
    private var headerPrinted = false
    private(set) var rows = 0

    static let pageSize = 1_000

    init(header: [String], rightAligned: Set<Int> = [], console: Console) {
        self.header = header
        self.rightAligned = rightAligned
        self.console = console
    }

    mutating func append(_ row: [String]) {
        page.append(row)
        rows += 1
        if page.count >= Self.pageSize { flush() }
    }

    /// Prints what is left; nothing (not even the header) for a table without rows.
    mutating func finish() { flush() }

    private mutating func flush() {
        guard !page.isEmpty else { return }
        let lines = TextTable.aligned((headerPrinted ? [] : [header]) + page, rightAligned: rightAligned)
        console.print(lines.joined(separator: "\n"))
        headerPrinted = true
        page.removeAll(keepingCapacity: true)
    }
}
