import Foundation

/// What `recoverExpiredLeases` did.
public struct OutboxRecovery: Sendable, Equatable {
    /// Rows whose call had started: charged an attempt (`lost`), retried with the same key.
    public var charged = 0
    /// Rows claimed but never called: back in the queue, no attempt spent.
    public var returned = 0

    public init(charged: Int = 0, returned: Int = 0) {
        self.charged = charged
        self.returned = returned
    }
}
