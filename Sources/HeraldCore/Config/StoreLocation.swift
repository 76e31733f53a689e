import Foundation

/// Where the member store lives, as `store` in the config says: the one value the store
/// factory opens (`StoreFactory.open`) — the embedded SQLite file, or a PostgreSQL database.
public enum StoreLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    /// A libpq connection URL (`postgresql://herald@db.internal:5432/herald?sslmode=verify-full`).
    case postgres(url: String)

    /// The schemes a PostgreSQL URL starts with.
    public static let postgresSchemes = ["postgresql://", "postgres://"]

    /// `text` as a place to put a store: a PostgreSQL URL, else an SQLite file (a relative
    /// path resolved by `resolve`).
    public init(parsing text: String, resolve: (String) -> String = { $0 }) {
        self = Self.postgresSchemes.contains(where: text.lowercased().hasPrefix) ? .postgres(url: text)
            : .sqlite(path: resolve(text))
    }

    /// For logs and messages: a PostgreSQL URL with any password replaced by `***`.
    public var description: String {
        switch self {
        case .sqlite(let path): path
        case .postgres(let url): Self.redacted(url)
        }
    }

    /// Whether a PostgreSQL URL carries its password itself (better kept in a passfile).
    public var carriesPassword: Bool {
        guard case .postgres(let url) = self else { return false }
        return !Self.passwords(in: url).isEmpty
    }

    /// `text` with every password the URL `url` holds replaced by `***` — the URL itself, or
    /// a message that may quote it (libpq's errors do).
    public static func redacted(_ text: String, passwordsOf url: String? = nil) -> String {
        var redacted = text
        for password in passwords(in: url ?? text) where !password.isEmpty {
            redacted = redacted.replacingOccurrences(of: password, with: "***")
        }
        return redacted
    }

    /// The passwords written in a URL: after the user in the authority (`user:secret@`), and
    /// `password=` parameters (URL or `key=value` form). Read by scanning the text, not by a
    /// URL parser, so a password with characters a parser refuses is found too.
    static func passwords(in url: String) -> [String] {
        var found: [String] = []
        if let scheme = url.range(of: "://") {
            let rest = url[scheme.upperBound...]
            // The authority ends at the query; its user information at the last '@' in it.
            let authority = rest[..<(rest.firstIndex(of: "?") ?? rest.endIndex)]
            if let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") {
                found.append(String(authority[authority.index(after: colon)..<at]))
            }
        }
        let parameter = try? NSRegularExpression(pattern: #"(?:^|[?&\s])password\s*=\s*('[^']*'|[^&\s]*)"#)
        let whole = NSRange(url.startIndex..., in: url)
        for match in parameter?.matches(in: url, range: whole) ?? [] {
            guard let range = Range(match.range(at: 1), in: url) else { continue }
            found.append(String(url[range]).trimmingCharacters(in: CharacterSet(charactersIn: "'")))
        }
        // Longest first, so a password that contains another is replaced whole.
        return found.sorted { $0.count > $1.count }
    }
}
