import Foundation

extension TimeZone {
    /// The zone for an IANA name (`Asia/Shanghai`, `UTC`); nil for anything else, including
    /// abbreviations such as `CST`, which Foundation accepts but which are ambiguous.
    /// The one rule for config files, member files and evaluation.
    public static func iana(_ identifier: String) -> TimeZone? {
        guard identifier == "UTC" || identifier.contains("/") else { return nil }
        return TimeZone(identifier: identifier)
    }
}
