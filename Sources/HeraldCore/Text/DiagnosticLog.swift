/// Collects every problem found while reading a set of files, so that `herald validate`
/// can print all of them at once instead of stopping at the first.
///
/// A reference type on purpose: the readers of nested objects all add to the same log.
public final class DiagnosticLog {
    public private(set) var diagnostics: [Diagnostic] = []

    public init() {}

    public var isEmpty: Bool { diagnostics.isEmpty }

    public func add(_ diagnostic: Diagnostic) {
        diagnostics.append(diagnostic)
    }

    public func add(file: String, at position: SourcePosition?, _ message: String) {
        diagnostics.append(Diagnostic(file: file, position: position, message: message))
    }
}
