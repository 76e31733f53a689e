/// The range of every number and duration a config or trigger file may hold. `validate`
/// reports a value outside its range with file:line:column; inside them no arithmetic on a
/// setting can overflow (the largest duration is ten years, the largest count a billion).
/// docs/operating.md and docs/triggers.md list the same ranges.
public enum SettingRange {
    // herald.json5
    public static let capMax = 1...1000
    /// Retention: a month at least for events and messages (triggers and caps look back that
    /// far), a day for attempts; a century at most.
    public static let retainEvents = TimeSpan(days: 31)...TimeSpan(days: 36_500)
    public static let retainAttempts = TimeSpan(days: 1)...TimeSpan(days: 36_500)
    public static let retainOutbox = TimeSpan(days: 31)...TimeSpan(days: 36_500)
    public static let capPer = TimeSpan(minutes: 1)...TimeSpan(days: 366)
    public static let maxSegments = 1...10
    public static let evaluateEvery = TimeSpan(seconds: 1)...TimeSpan(days: 1)
    public static let concurrency = 1...1024
    public static let maxAttempts = 1...100
    public static let backoff = TimeSpan(seconds: 1)...TimeSpan(days: 1)
    public static let lease = TimeSpan(seconds: 10)...TimeSpan(days: 1)
    public static let shutdownTimeout = TimeSpan(seconds: 1)...TimeSpan(hours: 1)
    public static let maxDeferral = TimeSpan(minutes: 1)...TimeSpan(days: 7)
    public static let channelTimeout = TimeSpan(seconds: 1)...TimeSpan(minutes: 10)
    public static let ratePerSecond = 0.001...1_000_000.0
    public static let providerWeight = 0.001...1_000_000.0
    /// Yuan per SMS segment.
    public static let pricePerSegment = 0.0...10.0
    public static let circuitFailures = 1...100
    public static let circuitHalfOpen = TimeSpan(seconds: 1)...TimeSpan(hours: 1)

    // Triggers/*.json5
    public static let priority = -1_000_000...1_000_000
    public static let cooldown = TimeSpan(minutes: 1)...TimeSpan(days: 3650)
    public static let expire = TimeSpan(minutes: 1)...TimeSpan(days: 366)
    public static let attribution = TimeSpan(hours: 1)...TimeSpan(days: 366)
    public static let variantWeight = 0.001...1_000_000.0
    public static let offerValidDays = 1...3650
    public static let daysBefore = 0...366
    public static let inactiveDays = 1...36_500
    public static let withinDays = 1...3650
    /// `purchases_in`, `spent_in`, `events_in`: up to ten years of events.
    public static let behaviourDays = 1...3650
    /// How long after a send a goal event still counts.
    public static let goalWithin = TimeSpan(hours: 1)...TimeSpan(days: 366)
    /// How long after its local `at` a broadcast may still go out.
    public static let broadcastWithin = TimeSpan(hours: 1)...TimeSpan(days: 31)
    public static let minPoints = 1...1_000_000_000
    public static let eventDelay = TimeSpan(seconds: 0)...TimeSpan(days: 366)
    public static let eventWithin = TimeSpan(minutes: 1)...TimeSpan(days: 366)
    /// `low_balance.below`, in yuan.
    public static let balanceBelowYuan = 0.01...100_000_000.0

    /// `0.001`, `1000000`: a bound as people write it.
    public static func text(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
