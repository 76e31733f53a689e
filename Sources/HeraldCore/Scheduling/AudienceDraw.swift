/// The deterministic draws of SPEC 2.1: who is held out as a control group and which
/// variant a member gets. Both hash `"<trigger id>:<member id>"` (the variant adds
/// `":variant"`) with FNV-1a-64, mix the result with fmix64 and take the top 53 bits over
/// 2^53, so a member's draw never changes between evaluations, and previews can be checked
/// by hand. An occurrence drawn once is recorded (held out or planned) and never re-drawn.
public enum AudienceDraw {
    /// The member's draw for holdout, in [0, 1).
    public static func holdoutDraw(triggerID: String, memberID: String) -> Double {
        FNV1a.unitInterval("\(triggerID):\(memberID)")
    }

    /// Held out when the draw is below the trigger's `holdout` share.
    public static func isHeldOut(triggerID: String, memberID: String, share: Double) -> Bool {
        holdoutDraw(triggerID: triggerID, memberID: memberID) < share
    }

    /// The index of the variant whose cumulative weight first exceeds draw × total weight.
    /// Weights must be positive (validation guarantees it); nil when there are none.
    public static func variantIndex(triggerID: String, memberID: String, weights: [Double]) -> Int? {
        let total = weights.reduce(0, +)
        guard !weights.isEmpty, total > 0 else { return nil }
        let target = FNV1a.unitInterval("\(triggerID):\(memberID):variant") * total
        var cumulative = 0.0
        for (index, weight) in weights.enumerated() {
            cumulative += weight
            if target < cumulative { return index }
        }
        return weights.count - 1
    }
}
