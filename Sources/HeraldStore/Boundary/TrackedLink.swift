/// A send's tracked link as `herald serve` needs it: whose it is and where it leads.
public struct TrackedLink: Sendable, Equatable {
    public var memberID: String
    /// The message's link targets in order (`/<n>` picks the n-th, 1-based); empty for sends
    /// written before the store kept them.
    public var targets: [String]

    public init(memberID: String, targets: [String]) {
        self.memberID = memberID
        self.targets = targets
    }
}
