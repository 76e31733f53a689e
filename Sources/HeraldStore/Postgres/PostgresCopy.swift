import CPostgres
import Foundation
import HeraldCore

/// `COPY … FROM STDIN` in text format on one connection: rows are written into a buffer and
/// sent in 256 KiB pieces while the caller goes on producing them, so the server parses one
/// piece while the next is built. `finish()` ends the copy and reports the server's verdict;
/// until then the connection can run nothing else.
///
/// Text format: columns separated by tabs, rows by newlines, NULL as `\N`, and backslash,
/// tab, newline and carriage return escaped. Values never hold U+0000 (the decoders refuse it).
@_spi(StoreSQL) public final class PostgresCopy {
    private let connection: PostgresConnection
    private let sql: String
    private var buffer: [UInt8] = []
    private var isOpen = true
    public private(set) var rows = 0

    private static let pieceSize = 256 * 1024

    /// Starts `sql` (`COPY table (columns) FROM STDIN`).
    init(connection: PostgresConnection, sql: String) throws {
        self.connection = connection
        self.sql = sql
        _ = try connection.execute(sql)
        buffer.reserveCapacity(Self.pieceSize + 4096)
    }

    /// Appends one row, its values in the order of the COPY's columns.
    public func append(_ values: [SQLValue]) throws {
        for (index, value) in values.enumerated() {
            if index > 0 { buffer.append(0x09) }
            switch value {
            case .null: buffer.append(contentsOf: [0x5C, 0x4E])
            case .integer(let integer): buffer.append(contentsOf: String(integer).utf8)
            case .real(let real): buffer.append(contentsOf: PostgresParameter.doubleText(real).utf8)
            case .text(let text):
                for byte in text.utf8 {
                    switch byte {
                    case 0x5C: buffer.append(contentsOf: [0x5C, 0x5C])
                    case 0x09: buffer.append(contentsOf: [0x5C, 0x74])
                    case 0x0A: buffer.append(contentsOf: [0x5C, 0x6E])
                    case 0x0D: buffer.append(contentsOf: [0x5C, 0x72])
                    default: buffer.append(byte)
                    }
                }
            }
        }
        buffer.append(0x0A)
        rows += 1
        if buffer.count >= Self.pieceSize { try send() }
    }

    private func send() throws {
        guard !buffer.isEmpty else { return }
        let sent = buffer.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) {
                PQputCopyData(connection.handle, $0.baseAddress, Int32($0.count))
            }
        }
        buffer.removeAll(keepingCapacity: true)
        guard sent == 1 else {
            throw copyFailure
        }
    }

    /// Ends the copy; throws what the server refused (the whole copy then has no effect).
    @discardableResult
    public func finish() throws -> Int {
        guard isOpen else { return rows }
        isOpen = false
        try send()
        guard PQputCopyEnd(connection.handle, nil) == 1 else {
            throw copyFailure
        }
        try connection.drainResults(sql)
        return rows
    }

    private var copyFailure: PostgresError {
        PostgresError(state: nil, message: "COPY: " + PostgresConnection.message(PQerrorMessage(connection.handle)),
                      isConnectionLost: connection.isBroken)
    }

    /// Abandons the copy (the server discards what it received).
    public func abandon() {
        guard isOpen else { return }
        isOpen = false
        buffer.removeAll()
        _ = PQputCopyEnd(connection.handle, "abandoned by Herald")
        try? connection.drainResults(sql)
    }
}
