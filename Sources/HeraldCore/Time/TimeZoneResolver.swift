import Foundation

/// Resolves members' zone names, once each: building a `TimeZone` is far slower than a
/// dictionary lookup, and an evaluation meets the same few zones a million times.
/// An unknown or missing name means the config's default zone.
public final class TimeZoneResolver {
    public let defaultZone: TimeZone
    private var zones: [String: TimeZone] = [:]

    public init(defaultZone: TimeZone) {
        self.defaultZone = defaultZone
    }

    public func zone(named identifier: String?) -> TimeZone {
        guard let identifier else { return defaultZone }
        if let known = zones[identifier] { return known }
        let zone = TimeZone.iana(identifier) ?? defaultZone
        zones[identifier] = zone
        return zone
    }
}
