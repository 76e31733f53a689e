import Foundation

/// Where the member store lives, as `store` in the config says: the one value the store
/// factory opens (`StoreFactory.open`) — the embedded SQLite file, or a PostgreSQL database.
public enum StoreLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    /// A libpq connection URL (`postgresql://herald@db.internal:5432/herald?sslmode=verify-full`).
    case postgres(url: String)

    /// For logs and messages: a PostgreSQL URL with any password replaced by `***`.
    public var description: String {
        switch self {
        case .sqlite(let path): path
        case .postgres(let url): Self.redacted(url)
        }
    }

    /// `url` with its password (user info or a `password` parameter) replaced by `***`.
    public static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.scheme != nil else {
            // key=value form: blank out a password=… pair.
            return url.replacingOccurrences(of: #"password\s*=\s*('[^']*'|\S+)"#, with: "password=***",
                                            options: .regularExpression)
        }
        if components.password != nil { components.password = "***" }
        if let items = components.queryItems, items.contains(where: { $0.name == "password" }) {
            components.queryItems = items.map { $0.name == "password" ? URLQueryItem(name: $0.name, value: "***") : $0 }
        }
        return components.string ?? "the database"
    }

    /// Whether a PostgreSQL URL carries its password itself (better kept in a passfile).
    public var carriesPassword: Bool {
        guard case .postgres(let url) = self else { return false }
        return description != url
    }
}
