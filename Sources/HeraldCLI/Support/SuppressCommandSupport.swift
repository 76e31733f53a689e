import Foundation
import HeraldCore
import HeraldStore

/// What the `herald suppress` commands share: addresses from the command line, checked one
/// by one (a bad one is named, the good ones still count), and the store from the config.
enum SuppressCommandSupport {
    static let kindHelp = """
        An address is a phone in any form import accepts (13812345678, +86 138 1234 5678),
        an e-mail, or a WeChat openid, told apart by shape; --kind sms|email|wechat|push
        says which (push tokens need it).
        """

    /// The addresses parsed, and a line per one that is not an address.
    static func addresses(_ positionals: [String], options: ParsedArguments) throws
        -> (addresses: [SuppressibleAddress], problems: [String]) {
        let kind = try self.kind(options)
        var addresses: [SuppressibleAddress] = []
        var problems: [String] = []
        for text in positionals {
            do {
                addresses.append(try SuppressibleAddress(parsing: text, kind: kind))
            } catch {
                problems.append("herald: \(error)")
            }
        }
        return (addresses, problems)
    }

    static func kind(_ options: ParsedArguments) throws -> ChannelKind? {
        guard let text = options.options["--kind"] else { return nil }
        guard let kind = ChannelKind(rawValue: text) else {
            throw ParsedArguments.UsageError(description: "--kind: expected one of "
                + ChannelKind.allCases.map(\.rawValue).joined(separator: ", ") + ", found '\(text)'")
        }
        return kind
    }

    /// "1 address", "2 addresses".
    static func addresses(_ count: Int) -> String { "\(count) address\(count == 1 ? "" : "es")" }
}
