/// Why a receipt pull got nothing (the provider refused, or did not answer).
public struct ReceiptPullFailure: Error, Sendable, Equatable {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }
}
