extension Duration {
    /// The duration in seconds, for reports and benchmark figures.
    public var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

extension Duration {
    /// Whole milliseconds, at least 1 and saturating: for C timeouts and dispatch deadlines.
    public var wholeMilliseconds: Int {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = Int(clamping: seconds).multipliedReportingOverflow(by: 1000)
        return overflow ? Int.max : max(1, scaled &+ Int(attoseconds / 1_000_000_000_000_000))
    }
}
