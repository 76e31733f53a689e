import HeraldStore

extension EventLog {
    /// Logs a failed store operation. A busy store is a wait, not an error: another writer
    /// held the lock past the busy timeout, and the caller simply tries again — so it is a
    /// warning under `busyEvent`, and never reaches the log as an error (issue 11).
    public func storeProblem(_ event: String, _ error: any Error, busyEvent: String,
                      _ fields: KeyValuePairs<String, String> = [:]) {
        if let failure = error as? any StoreFailure, failure.isBusy {
            warning(busyEvent, ["while": event, "note": "the store was locked; trying again"])
        } else {
            log(.error, event, fields: Array(fields) + [("error", "\(error)")])
        }
    }
}
