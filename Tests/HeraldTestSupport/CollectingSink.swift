import HeraldCore
@_spi(StoreSQL) import HeraldStore

/// A `RejectedRowSink` that keeps everything, so tests can assert on each rejection.
public final class CollectingSink: RejectedRowSink {
    public private(set) var header: [UInt8]?
    public private(set) var rejections: [RowRejection] = []
    public private(set) var rawRejected: [String] = []
    public private(set) var warnings: [(line: Int, message: String)] = []

    public init() {}

    public func header(raw: [UInt8]) throws { header = raw }

    public func reject(_ rejection: RowRejection, raw: [UInt8]) throws {
        rejections.append(rejection)
        rawRejected.append(String(decoding: raw, as: UTF8.self))
    }

    public func warn(line: Int, message: String) { warnings.append((line, message)) }

    /// `line: reason` per rejection, for compact assertions.
    public var reasons: [Int: String] {
        Dictionary(rejections.map { ($0.line, $0.reason) }, uniquingKeysWith: { first, _ in first })
    }
}
