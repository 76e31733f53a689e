/// One line of the campaign sheet (SPEC 6): what a trigger planned, delivered and achieved
/// in a group (a day, a channel, a variant, or the whole period).
///
/// Send counts (`planned` … `cancelled`) count outbox rows; `reached`, `clicked`, `redeemed`
/// and the lift groups count distinct members, so every rate stays within 0–100 %.
public struct CampaignReportRow: Sendable, Equatable {
    public var triggerID: String
    /// The day (YYYY-MM-DD), channel or variant; nil when rows are per trigger (or the
    /// trigger has no variants).
    public var group: String?

    public var planned = 0
    /// Accepted by the gateway: `sent` and `delivered`, and those a receipt later reported undelivered.
    public var sent = 0
    public var delivered = 0
    /// Gave up, rejected, or reported undelivered by a receipt.
    public var failed = 0
    /// Still `pending` or `sending`.
    public var pending = 0
    public var expired = 0
    public var cancelled = 0
    /// Members with a send that is `sent` or `delivered`.
    public var reached = 0
    /// Members with a click on one of the trigger's links.
    public var clicked = 0
    /// Members whose coupon was redeemed within its validity.
    public var redeemed = 0
    /// What the accepted sends cost (segments × the accepting provider's `price_per_segment`),
    /// in thousandths of a fen, over the `pricedSends` that had a price.
    public var costMillifen: Int64 = 0
    public var pricedSends = 0
    /// With a goal: members reached who then met it within its window; nil without a goal.
    public var goalConverted: Int?
    /// With a goal: the goal events' amounts after reached sends, in fen (each event once).
    public var revenueFen: Int64?

    /// Held-out occurrences; nil on rows that cannot carry them (per channel or variant).
    public var heldOut: Int?
    /// Suppressed occurrences by reason (never planned or held out later); nil like `heldOut`.
    public var suppressed: [SuppressionReason: Int]?
    /// Intent to treat: every member with a planned send, delivered or not, against every
    /// held-out member; each converted when they purchased within the attribution window —
    /// or, for a trigger with a goal, when they met the goal within its window.
    public var lift: ProportionDifference

    public init(triggerID: String, group: String?) {
        self.triggerID = triggerID
        self.group = group
        lift = ProportionDifference(treated: .init(successes: 0, trials: 0), control: .init(successes: 0, trials: 0))
    }

    public var suppressedTotal: Int? { suppressed.map { $0.values.reduce(0, +) } }
    /// Click-through rate: clicked / reached.
    public var clickThroughRate: Double? { Self.ratio(clicked, reached) }
    /// SPEC 6: redeemed / reached.
    public var conversionRate: Double? { Self.ratio(redeemed, reached) }

    /// Yuan; nil when no accepted send had a price.
    public var cost: Double? { pricedSends > 0 ? Double(costMillifen) / 100_000 : nil }
    /// Yuan per member who redeemed; nil without a cost or a redeem.
    public var costPerRedeem: Double? { cost.flatMap { redeemed > 0 ? $0 / Double(redeemed) : nil } }

    /// Goal conversion: converted / reached.
    public var goalConversionRate: Double? { goalConverted.flatMap { Self.ratio($0, reached) } }
    /// Yuan.
    public var revenue: Double? { revenueFen.map { Double($0) / 100 } }
    /// Yuan per accepted send.
    public var revenuePerSend: Double? { revenue.flatMap { sent > 0 ? $0 / Double(sent) : nil } }
    /// (revenue − cost) / cost; nil without a goal or a priced send.
    public var returnOnCost: Double? {
        guard let revenue, let cost, cost > 0 else { return nil }
        return (revenue - cost) / cost
    }

    static func ratio(_ part: Int, _ whole: Int) -> Double? { whole > 0 ? Double(part) / Double(whole) : nil }
}
