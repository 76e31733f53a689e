import HeraldCore

/// What a template-based adapter needs from a mapping entry (SPEC 7), and the provider's
/// documented limits on params: `ChannelFactory.mappingProblems` checks each entry against
/// them for every trigger that can reach the provider.
public struct ProviderMappingRules: Sendable {
    public enum Params: Sendable {
        /// `params: ["…", "…"]`, filled into the template's variables in order.
        case list
        /// `params: { name: "…" }`, by variable name.
        case named
    }

    /// `template_id`, `template_code`.
    public var idKey: String
    public var params: Params
    /// Characters per param after rendering, in the worst case (`CatalogChecks.worstCaseValues`).
    public var maxParamLength: Int
    /// Where the limit and the no-URL rule are documented.
    public var source: String

    public init(idKey: String, params: Params, maxParamLength: Int, source: String) {
        self.idKey = idKey
        self.params = params
        self.maxParamLength = maxParamLength
        self.source = source
    }

    /// The option that overrides `maxParamLength` (an account with larger limits).
    public static let lengthOption = "param_max_length"
    public static let lengthRange = 1...1000

    /// Problems of `entry` for `trigger`, at their positions in the mapping file.
    func problems(of entry: ProviderMapping.Entry, in mapping: ProviderMapping, trigger: Trigger,
                  maxLength: Int) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        func problem(_ position: SourcePosition, _ message: String) {
            problems.append(Diagnostic(file: mapping.path, position: position, message: "\(entry.provider): \(message)"))
        }
        guard case .object(let members, let position) = entry.node else { return [] }
        for member in members where member.key != idKey && member.key != "params" {
            problem(member.node.position, "unknown key '\(member.key)' (expected \(idKey), params)")
        }
        switch entry.node[idKey] {
        case .text(let template, _)? where !template.body.isEmpty && template.placeholders.isEmpty
            && template.linkCount == 0:
            break
        case let node?:
            problem(node.position, "\(idKey): expected the approved template's id as plain text, such as \"1234567\"")
        case nil:
            problem(position, "\(idKey): missing (expected the approved template's id)")
        }
        var params: [(label: String, template: MessageTemplate, position: SourcePosition)] = []
        switch (self.params, entry.node["params"]) {
        case (_, nil):
            break
        case (.list, .array(let items, _)?):
            for (index, item) in items.enumerated() {
                guard case .text(let template, let at) = item else {
                    problem(item.position, "params[\(index)]: expected a string")
                    continue
                }
                params.append(("params[\(index)]", template, at))
            }
        case (.named, .object(let members, _)?):
            for member in members {
                guard case .text(let template, let at) = member.node else {
                    problem(member.node.position, "params.\(member.key): expected a string")
                    continue
                }
                params.append(("params.\(member.key)", template, at))
            }
        case (.list, let node?):
            problem(node.position, "params: expected a list of strings, filled into the template's variables in order")
        case (.named, let node?):
            problem(node.position, "params: expected an object of strings by the template's variable names")
        }
        let values = CatalogChecks.worstCaseValues(for: trigger)
        for param in params {
            if param.template.linkCount > 0 {
                problem(param.position, "\(param.label): a {{ link }} cannot go in a param; the provider refuses URLs "
                            + "in template params (\(source))")
                continue
            }
            let longest = param.template.render(values: values) { _, _ in "" }.body.count
            if longest > maxLength {
                problem(param.position, "\(param.label) can be \(longest) characters for trigger '\(trigger.id)' in "
                            + "the worst case; \(entry.provider) allows \(maxLength) per param (\(source)); shorten it "
                            + "or set \(Self.lengthOption) if the account allows more")
            }
        }
        return problems
    }
}
