import Synchronization

/// The worker's metrics as last rendered (the text `--metrics-file` gets), for `/metrics` on
/// the HTTP edge of the same process (`herald run --serve`): SPEC 8 serves the same samples
/// as the textfile. Empty until the first evaluation.
public final class LatestMetrics: Sendable {
    private let latest = Mutex("")

    public init() {}

    public var text: String { latest.withLock { $0 } }

    func publish(_ text: String) {
        latest.withLock { $0 = text }
    }
}
