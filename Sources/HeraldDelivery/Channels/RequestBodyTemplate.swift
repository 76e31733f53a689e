import Foundation
import HeraldCore

/// A request's `body`: a JSON value whose strings may hold the placeholders of its `fields`
/// — for a channel `{{ to }}`, `{{ text }}`, `{{ title }}`, `{{ idempotency_key }}` and
/// `{{ channel }}` — and `{{ secret.NAME }}`, filled in once when the adapter is built. A
/// string that is exactly one placeholder of an absent value (an SMS has no title) becomes `null`.
public struct RequestBodyTemplate: Sendable {
    public static let fields = ["to", "text", "title", "idempotency_key", "channel"]

    /// What a channel without `body` posts: every field under its own name.
    public static let standard = standard(fields)

    /// Every one of `fields` under its own name.
    public static func standard(_ fields: [String]) -> RequestBodyTemplate {
        RequestBodyTemplate(parts: .object(fields.map { ($0, .placeholder($0)) }))
    }

    indirect enum Part: Sendable {
        case literal(JSONOutput)
        case placeholder(String)
        case text([Piece])
        case array([Part])
        case object([(String, Part)])
    }

    enum Piece: Sendable {
        case literal(String)
        case field(String)
    }

    let parts: Part

    init(parts: Part) {
        self.parts = parts
    }

    /// Checks every placeholder and resolves secrets now, so a typo stops start-up, not a send.
    /// `problem` makes the diagnostic thrown for a value at a position.
    public init(_ value: JSONValue, fields: [String] = fields, secrets: SecretSource,
                problem: (SourcePosition, String) -> Diagnostic) throws {
        parts = try Self.compile(value, fields: fields, secrets: secrets, problem: problem)
    }

    public func render(_ message: ChannelMessage) -> String {
        render([
            "to": message.to, "text": message.text, "title": message.title, "idempotency_key": message.idempotencyKey,
            "channel": message.channel,
        ])
    }

    /// The body with each field's value (JSON-escaped where it stands).
    public func render(_ values: [String: String?]) -> String {
        Self.render(parts, values).rendered()
    }

    private static func render(_ part: Part, _ values: [String: String?]) -> JSONOutput {
        switch part {
        case .literal(let output): output
        case .placeholder(let name): .optional(values[name] ?? nil)
        case .text(let pieces):
            .string(pieces.map { piece in
                switch piece {
                case .literal(let text): text
                case .field(let name): (values[name] ?? nil) ?? ""
                }
            }.joined())
        case .array(let items): .array(items.map { render($0, values) })
        case .object(let members): .object(members.map { ($0.0, render($0.1, values)) })
        }
    }

    private static func compile(_ value: JSONValue, fields: [String], secrets: SecretSource,
                                problem: (SourcePosition, String) -> Diagnostic) throws -> Part {
        switch value.kind {
        case .null, .bool, .number: return .literal(JSONOutput(value))
        case .array(let items): return .array(try items.map { try compile($0, fields: fields, secrets: secrets, problem: problem) })
        case .object(let members):
            return .object(try members.map { ($0.key, try compile($0.value, fields: fields, secrets: secrets, problem: problem)) })
        case .string(let text):
            let pieces: [Piece] = try BracedPlaceholders.pieces(of: text).map { piece in
                switch piece {
                case .text(let text):
                    return .literal(String(text))
                case .placeholder(let name) where name.hasPrefix("secret."):
                    let secret = String(name.dropFirst("secret.".count))
                    return .literal(try secrets.resolve(secret) { problem(value.position, $0) })
                case .placeholder(let name) where fields.contains(name):
                    return .field(name)
                case .placeholder(let name):
                    throw problem(value.position, "unknown placeholder {{ \(name) }}; "
                                      + "expected one of \(fields.joined(separator: ", ")) or secret.NAME")
                }
            }
            if pieces.count == 1, case .field(let name) = pieces[0] { return .placeholder(name) }
            return .text(pieces)
        }
    }
}
