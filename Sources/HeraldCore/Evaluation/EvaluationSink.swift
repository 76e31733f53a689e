/// Where an evaluation's decisions go, one at a time as they are made, so that memory does
/// not grow with the audience: `run` writes each to the outbox (`OutboxWriter`), `preview`
/// collects them (`Evaluation`).
public protocol EvaluationSink {
    /// True when each decision is in the store's send history as soon as it is taken (the
    /// outbox writer, on the connection the history reads): the scheduler then keeps no ledger
    /// of its own, and its candidate queries leave recorded occurrences out in SQL.
    var recordsIntoStore: Bool { get }
    mutating func plan(_ send: PlannedSend) throws
    /// Held-out members come here too, with reason `holdout`.
    mutating func suppress(_ suppression: Suppression) throws
    /// Called before each trigger's candidates are read: a sink that writes commits what it
    /// holds, so no write lock is held while the store runs the next query.
    mutating func triggerStarts() throws
}

extension Evaluation: EvaluationSink {
    public var recordsIntoStore: Bool { false }

    public mutating func plan(_ send: PlannedSend) { planned.append(send) }

    public mutating func suppress(_ suppression: Suppression) { suppressed.append(suppression) }

    public mutating func triggerStarts() {}
}
