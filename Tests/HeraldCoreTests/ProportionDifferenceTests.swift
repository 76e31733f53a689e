import Foundation
import HeraldCore
import Testing

@Suite struct ProportionDifferenceTests {
    /// Newcombe (1998), Table II, method 10: the published intervals, to four places.
    @Test(arguments: [
        (56, 70, 48, 80, 0.0524, 0.3339),
        (9, 10, 3, 10, 0.1705, 0.8090),
        (5, 56, 0, 29, -0.0381, 0.1926),
        (0, 10, 0, 20, -0.1611, 0.2775),
        (10, 10, 0, 20, 0.6791, 1.0000),
    ])
    func newcombeHybridScoreInterval(x1: Int, n1: Int, x2: Int, n2: Int, lower: Double, upper: Double) throws {
        let difference = ProportionDifference(treated: .init(successes: x1, trials: n1), control: .init(successes: x2, trials: n2))
        let interval = try #require(difference.interval95)
        #expect(abs(interval.lowerBound - lower) < 0.00005)
        #expect(abs(interval.upperBound - upper) < 0.00005)
        #expect(difference.absolute == Double(x1) / Double(n1) - Double(x2) / Double(n2))
    }

    @Test func emptyGroupsHaveNoLift() {
        let noControl = ProportionDifference(treated: .init(successes: 3, trials: 10), control: .init(successes: 0, trials: 0))
        #expect(noControl.absolute == nil && noControl.interval95 == nil && noControl.relative == nil)
        let zeroControlRate = ProportionDifference(treated: .init(successes: 3, trials: 10), control: .init(successes: 0, trials: 5))
        #expect(zeroControlRate.absolute == 0.3)
        #expect(zeroControlRate.relative == nil)
        let relative = ProportionDifference(treated: .init(successes: 3, trials: 10), control: .init(successes: 1, trials: 5))
        #expect(abs(relative.relative! - 0.5) < 1e-12)
    }
}
