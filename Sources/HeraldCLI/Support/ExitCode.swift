/// Herald's exit statuses, the same for every command.
public enum ExitCode: Int32, Sendable {
    case success = 0
    /// The command ran, but some input rows were rejected (they are reported).
    case rowsRejected = 1
    /// `validate` found problems (the same status: the input was read, and some of it is wrong).
    static let problemsFound = ExitCode.rowsRejected
    /// Bad usage, a bad config, or an I/O failure: nothing (more) was done.
    case failure = 2
}
