import Foundation

/// `Retry-After` (RFC 9110): delay seconds, or an HTTP date. Nil when it says nothing usable
/// — not a number or date, zero, negative, or a date already past — so the caller falls back
/// to its own backoff instead of retrying at once.
enum RetryAfter {
    static func seconds(_ text: String, now: Date) -> TimeInterval? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let seconds = Int64(trimmed) { return seconds > 0 ? TimeInterval(seconds) : nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: trimmed) else { return nil }
        let delay = date.timeIntervalSince(now).rounded(.up)
        return delay > 0 ? delay : nil
    }
}
