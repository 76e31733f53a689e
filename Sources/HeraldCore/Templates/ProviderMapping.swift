/// `MessageTemplates/<template>/<kind>.providers.json5` (SPEC 7): what template-based
/// providers send instead of the local text, per provider name — an approved template id
/// and params, each param a template over the same values as the local text.
///
/// Core reads the shape generically (every string is a template); what each provider needs
/// (`template_id` and a list, `template_code` and an object, length limits) is checked by its
/// adapter (`ChannelFactory.mappingProblems`), since Core knows no adapter names.
public struct ProviderMapping: Sendable {
    /// A value of the file with every string compiled as a template.
    public indirect enum Node: Sendable {
        case text(MessageTemplate, position: SourcePosition)
        case literal(JSONValue)
        case array([Node], position: SourcePosition)
        case object([(key: String, node: Node)], position: SourcePosition)

        public var position: SourcePosition {
            switch self {
            case .text(_, let position), .array(_, let position), .object(_, let position): position
            case .literal(let value): value.position
            }
        }

        public subscript(key: String) -> Node? {
            guard case .object(let members, _) = self else { return nil }
            return members.first { $0.key == key }?.node
        }

        /// Every template in it, in order.
        public var templates: [MessageTemplate] {
            switch self {
            case .text(let template, _): [template]
            case .literal: []
            case .array(let items, _): items.flatMap(\.templates)
            case .object(let members, _): members.flatMap(\.node.templates)
            }
        }

        func render(values: [String: TemplateValue], link: (String, Int) -> String) -> JSONOutput {
            switch self {
            case .text(let template, _): .string(template.render(values: values, link: link).body)
            case .literal(let value): JSONOutput(value)
            case .array(let items, _): .array(items.map { $0.render(values: values, link: link) })
            case .object(let members, _): .object(members.map { ($0.key, $0.node.render(values: values, link: link)) })
            }
        }
    }

    public struct Entry: Sendable {
        public var provider: String
        public var keyPosition: SourcePosition
        public var node: Node
    }

    public var path: String
    /// In the order the file lists them.
    public var entries: [Entry]

    public func entry(for provider: String) -> Entry? { entries.first { $0.provider == provider } }

    /// Every template in the file.
    public var templates: [MessageTemplate] { entries.flatMap(\.node.templates) }

    /// The entries of `providers` rendered with a send's values, as one JSON object text
    /// (the outbox's `provider_content`); nil when the file names none of them.
    public func rendered(for providers: [String], values: [String: TemplateValue],
                         link: (String, Int) -> String) -> String? {
        let members = entries.filter { providers.contains($0.provider) }
            .map { ($0.provider, $0.node.render(values: values, link: link)) }
        return members.isEmpty ? nil : JSONOutput.object(members).rendered()
    }

    /// Parses the file; problems go to `log` with line and column. Nil when there were any.
    public static func parse(_ text: String, path: String, log: DiagnosticLog) -> ProviderMapping? {
        let before = log.count
        guard let root = SourceFile.parseJSON5(text, path: path, log: log) else { return nil }
        guard let members = root.members else {
            log.add(file: path, at: root.position, "expected an object of providers, such as "
                        + "{ tencent: { template_id: \"1234567\", params: [\"{{ member.name }}\"] } }, found \(root.kindName)")
            return nil
        }
        var entries: [Entry] = []
        for member in members {
            guard member.value.members != nil else {
                log.add(file: path, at: member.value.position,
                        "\(member.key): expected an object such as { template_id: \"…\", params: […] }, "
                            + "found \(member.value.kindName)")
                continue
            }
            entries.append(Entry(provider: member.key, keyPosition: member.keyPosition,
                                 node: compile(member.value, path: path, log: log)))
        }
        return log.count == before ? ProviderMapping(path: path, entries: entries) : nil
    }

    private static func compile(_ value: JSONValue, path: String, log: DiagnosticLog) -> Node {
        switch value.kind {
        case .string(let text):
            // The text starts one column after the opening quote.
            let start = SourcePosition(line: value.position.line, column: value.position.column + 1)
            let template = MessageTemplate.parseInline(text, path: path, start: start, log: log)
                ?? MessageTemplate(path: path, title: nil, body: [])
            return .text(template, position: value.position)
        case .array(let items):
            return .array(items.map { compile($0, path: path, log: log) }, position: value.position)
        case .object(let members):
            return .object(members.map { ($0.key, compile($0.value, path: path, log: log)) }, position: value.position)
        default:
            return .literal(value)
        }
    }
}
