/// RFM scores (recency, frequency, monetary), 1–5 by quintile over the member base: the cut
/// points are computed once per evaluation from every member's purchases in the last
/// `lookbackDays`, and each candidate's own three values are scored against them.
///
/// A value's score is 1 + the number of cut points strictly below it, where the k-th cut
/// point is the value at rank ⌈k·n/5⌉ of the n buyers sorted ascending: equal values score
/// equally, the top fifth scores 5, and the score never depends on the order of the rows.
/// Recency is scored on the last purchase's instant, so the most recent buyers score 5.
public struct RFMScores: Sendable, Equatable {
    public enum Part: String, Sendable, CaseIterable {
        case recency = "r", frequency = "f", monetary = "m"
    }

    /// The usual RFM year.
    public static let lookbackDays = 365

    /// Members who bought in the lookback window.
    public var buyers: Int
    /// Four ascending cut points per part (last purchase instant, purchase count, fen spent).
    public var cutPoints: [Part: [Int64]]

    public init(buyers: Int, cutPoints: [Part: [Int64]]) {
        self.buyers = buyers
        self.cutPoints = cutPoints
    }

    /// The score of a member's value for `part`; nil when nobody bought in the window.
    public func score(_ value: Int64, _ part: Part) -> Int? {
        guard buyers > 0, let cuts = cutPoints[part] else { return nil }
        return 1 + cuts.count { $0 < value }
    }
}
