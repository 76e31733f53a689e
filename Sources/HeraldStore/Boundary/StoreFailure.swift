/// A failure of the store itself (as opposed to bad data in it): evaluation stops on one.
public protocol StoreFailure: Error {
    /// Another writer held the store past the busy timeout: a reason to try again, not a fault.
    var isBusy: Bool { get }
    /// A write broke a UNIQUE (or other) constraint: another row already has the value.
    var isConstraintViolation: Bool { get }
}

extension StoreFailure {
    public var isConstraintViolation: Bool { false }
}
