import Foundation

/// The difference between two proportions with a 95 % confidence interval: the holdout lift
/// (treated conversion minus control conversion).
///
/// The interval is Newcombe's hybrid score interval (method 10 in Newcombe, "Interval
/// estimation for the difference between independent proportions", Statistics in Medicine
/// 1998), built from each group's Wilson score interval. Unlike the textbook Wald interval it
/// stays inside [-1, 1] and is well behaved for the small groups and zero counts a 10 %
/// holdout of one day's sends produces. Covers two independent binomial samples only: no
/// continuity correction, no stratification across triggers.
public struct ProportionDifference: Sendable, Equatable {
    public struct Group: Sendable, Equatable {
        public var successes: Int
        public var trials: Int

        public init(successes: Int, trials: Int) {
            self.successes = successes
            self.trials = trials
        }

        /// Nil for an empty group.
        public var rate: Double? { trials > 0 ? Double(successes) / Double(trials) : nil }
    }

    /// z for a two-sided 95 % interval.
    public static let z95 = 1.959963984540054

    public var treated: Group
    public var control: Group

    public init(treated: Group, control: Group) {
        self.treated = treated
        self.control = control
    }

    /// Treated rate minus control rate, in [-1, 1]; nil when either group is empty.
    public var absolute: Double? {
        guard let treatedRate = treated.rate, let controlRate = control.rate else { return nil }
        return treatedRate - controlRate
    }

    /// The absolute lift as a share of the control rate; nil when that rate is zero.
    public var relative: Double? {
        guard let absolute, let controlRate = control.rate, controlRate > 0 else { return nil }
        return absolute / controlRate
    }

    /// The 95 % interval for `absolute`; nil when either group is empty.
    public var interval95: ClosedRange<Double>? {
        guard let absolute, let p1 = treated.rate, let p2 = control.rate else { return nil }
        let (l1, u1) = Self.wilson(p1, trials: treated.trials)
        let (l2, u2) = Self.wilson(p2, trials: control.trials)
        let lower = absolute - ((p1 - l1) * (p1 - l1) + (u2 - p2) * (u2 - p2)).squareRoot()
        let upper = absolute + ((u1 - p1) * (u1 - p1) + (p2 - l2) * (p2 - l2)).squareRoot()
        return max(-1, lower)...min(1, upper)
    }

    /// The Wilson score interval for a proportion `p` of `trials`.
    static func wilson(_ p: Double, trials: Int) -> (lower: Double, upper: Double) {
        let n = Double(trials)
        let z2 = z95 * z95
        let denominator = 1 + z2 / n
        let centre = (p + z2 / (2 * n)) / denominator
        let half = z95 * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot() / denominator
        return (max(0, centre - half), min(1, centre + half))
    }
}
