extension Duration {
    /// The duration in seconds, for reports and benchmark figures.
    public var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
