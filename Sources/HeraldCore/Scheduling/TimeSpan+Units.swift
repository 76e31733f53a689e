/// Durations written in the unit people think in.
extension TimeSpan {
    public init(minutes: Int64) { self.init(seconds: minutes * 60) }
    public init(hours: Int64) { self.init(seconds: hours * 3600) }
    public init(days: Int64) { self.init(seconds: days * 86_400) }
}
