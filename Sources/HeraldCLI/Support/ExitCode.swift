/// Herald's exit statuses, the same for every command: 0 done; 1 done, with problems (some
/// input rows rejected, some named things not found, `validate`'s findings); 2 nothing done —
/// bad usage, a bad config, an I/O or store failure, or what the command names is not there.
public enum ExitCode: Int32, Sendable {
    case success = 0
    /// The command ran, but some input rows were rejected (they are reported).
    case rowsRejected = 1
    /// `validate` found problems (the same status: the input was read, and some of it is wrong).
    static let problemsFound = ExitCode.rowsRejected
    /// Bad usage, a bad config, an I/O failure, or not found: nothing (more) was done.
    case failure = 2

    /// A command about several named things: 0 all done; 2 none done because none was found;
    /// else 1 (some not found, or `rejected` names that were not valid input).
    static func batch(done: Int, notFound: Int, rejected: Int) -> ExitCode {
        if notFound == 0 && rejected == 0 { return .success }
        return done == 0 && rejected == 0 ? .failure : .rowsRejected
    }
}
