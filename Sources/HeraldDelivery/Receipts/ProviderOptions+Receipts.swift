import Foundation
import HeraldCore

extension ProviderOptions {
    /// `pull_receipts_every`, for adapters that can pull receipts.
    static let receiptPullKey = "pull_receipts_every"
    static let receiptPullRange = TimeSpan(seconds: 10)...TimeSpan(hours: 1)

    var receiptPullInterval: TimeSpan? { timeSpan(Self.receiptPullKey, in: Self.receiptPullRange) }
}
