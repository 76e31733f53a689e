/// One run of a piece of work at a time (single flight): callers arriving while one is under
/// way wait for it and share its result. The providers' token requests use it, so concurrent
/// sends do not each ask for a token (each new WeChat token ends the previous one's life).
actor SingleFlight<Value: Sendable> {
    private var inFlight: Task<Value, Never>?

    func run(_ body: @escaping @Sendable () async -> Value) async -> Value {
        if let inFlight { return await inFlight.value }
        let task = Task { await body() }
        inFlight = task
        let value = await task.value
        inFlight = nil
        return value
    }
}
