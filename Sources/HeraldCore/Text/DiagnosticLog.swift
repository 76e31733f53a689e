/// Collects every problem found while reading a set of files, so that `herald validate`
/// can print all of them at once instead of stopping at the first.
///
/// A reference type on purpose: the readers of nested objects all add to the same log.
public final class DiagnosticLog {
    private var collected: [Diagnostic] = []

    public init() {}

    /// By file path, then line and column — the order an editor walks them, the same on
    /// every run whatever order the checks ran in.
    public var diagnostics: [Diagnostic] {
        collected.enumerated().sorted { lhs, rhs in
            let left = (lhs.element.file, lhs.element.line ?? 0, lhs.element.position?.column ?? 0, lhs.offset)
            let right = (rhs.element.file, rhs.element.line ?? 0, rhs.element.position?.column ?? 0, rhs.offset)
            return left < right
        }.map(\.element)
    }

    public var isEmpty: Bool { collected.isEmpty }

    public var count: Int { collected.count }

    public func add(_ diagnostic: Diagnostic) {
        collected.append(diagnostic)
    }

    public func add(file: String, at position: SourcePosition?, _ message: String) {
        collected.append(Diagnostic(file: file, position: position, message: message))
    }
}
