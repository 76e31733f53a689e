/// A place in a text file, 1-based, as editors show it: the column counts
/// characters (Unicode scalars), not bytes, so Chinese text points at the right spot.
public struct SourcePosition: Hashable, Sendable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public var description: String { "\(line):\(column)" }
}
