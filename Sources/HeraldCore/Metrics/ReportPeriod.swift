/// The days a report covers, inclusive, as members' local days (SPEC 6); open ends cover
/// everything before or after.
public struct ReportPeriod: Sendable, Equatable {
    public var since: CivilDate?
    public var until: CivilDate?

    public init(since: CivilDate? = nil, until: CivilDate? = nil) {
        self.since = since
        self.until = until
    }

    /// The bounds as the store's `local_day` text compares them.
    public var sinceText: String { since?.description ?? "0000-00-00" }
    public var untilText: String { until?.description ?? "9999-12-31" }
}
