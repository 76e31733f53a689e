import Synchronization

/// What the edge has answered since it started, for `/metrics`: counters only, by kind.
final class EdgeCounters: Sendable {
    private let counts = Mutex<[String: Int]>([:])

    func add(_ name: String, _ amount: Int = 1) {
        counts.withLock { $0[name, default: 0] += amount }
    }

    var snapshot: [String: Int] { counts.withLock { $0 } }

    /// Every counter the edge keeps, with its help text, in the order `/metrics` shows them.
    static let families: [(name: String, help: String)] = [
        ("herald_edge_redirects_total", "Tracked links redirected (HEAD and previews included)."),
        ("herald_edge_clicks_total", "Clicks queued for the store (people only; stored once per token and minute)."),
        ("herald_edge_unknown_links_total", "Links no send has (answered links.fallback or 404)."),
        ("herald_edge_opt_out_replies_total", "SMS replies that opted a number out."),
        ("herald_edge_receipts_total", "Delivery receipts received in callbacks."),
        ("herald_edge_unsubscribes_total", "E-mail unsubscribes (one-click or confirmed)."),
        ("herald_edge_store_failures_total", "Requests refused because the store did not answer (503)."),
        ("herald_edge_refused_callbacks_total",
         "Provider callbacks refused: wrong or missing key, or a caller not allowed (403)."),
        ("herald_edge_commits_total", "Transactions committed for callbacks and unsubscribes (group commit)."),
        ("herald_edge_committed_callbacks_total", "Callbacks and unsubscribes those transactions carried."),
    ]

    /// Prometheus text exposition of the counters.
    func rendered() -> String {
        let values = snapshot
        return Self.families.map { name, help in
            "# HELP \(name) \(help)\n# TYPE \(name) counter\n\(name) \(values[name] ?? 0)\n"
        }.joined()
    }
}
