/// A store that cannot be opened for reading as asked.
public struct StoreUnavailableError: Error, CustomStringConvertible {
    public var description: String

    public init(description: String) {
        self.description = description
    }
}
