import HeraldCore
import Synchronization

/// Secrets a lenient `SecretSource` did not find, each with where it was needed.
public final class AbsentSecrets: Sendable {
    private let found = Mutex<[Diagnostic]>([])

    public init() {}

    func note(_ name: String, _ diagnostic: Diagnostic) {
        found.withLock { if !$0.contains(diagnostic) { $0.append(diagnostic) } }
    }

    public var warnings: [Diagnostic] { found.withLock { $0 } }
}
