import Foundation
import HeraldCore

/// A provider that can fetch delivery receipts itself (`pull_receipts_every`), until an HTTP
/// endpoint receives them (issue 12, item 9).
public protocol ReceiptPulling: Channel {
    /// How often `herald run` pulls; nil when the provider's `pull_receipts_every` is not set.
    var receiptPullInterval: TimeSpan? { get }
    /// Whether it can only be asked message by message, and so needs `pending` (else the
    /// store is not asked for them).
    var pullsPerMessage: Bool { get }
    /// Receipts that arrived since the last pull. `pending`: recent sends it accepted that
    /// still have none, when `pullsPerMessage`; empty otherwise.
    func pullReceipts(pending: [PendingReceipt]) async -> Result<[ProviderReceipt], ReceiptPullFailure>
}
