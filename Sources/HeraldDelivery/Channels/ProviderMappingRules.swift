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
    /// The key the params stand under (`params`; WeChat's `data`).
    public var paramsKey = "params"
    /// Other keys an entry may have, each a template (WeChat's `page`, `url`); links allowed.
    public var optionalKeys: [String] = []
    /// Named params whose limit depends on their type, written as the name's letters before
    /// its number (WeChat: `thing1` is a `thing`, 20 characters): type → characters. Empty:
    /// every param has `maxParamLength`.
    public var fieldLimits: [String: Int] = [:]

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
                  maxLength: Int, couponCodeLength: Int) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        func problem(_ position: SourcePosition, _ message: String) {
            problems.append(Diagnostic(file: mapping.path, position: position, message: "\(entry.provider): \(message)"))
        }
        guard case .object(let members, let position) = entry.node else { return [] }
        let keys = [idKey, paramsKey] + optionalKeys
        for member in members where !keys.contains(member.key) {
            problem(member.node.position, "unknown key '\(member.key)' (expected \(keys.joined(separator: ", ")))")
        }
        for key in optionalKeys {
            switch entry.node[key] {
            case .text(let template, let at)? where template.linkCount > 0:
                // Its links would be numbered apart from the message's, and the send keeps only those.
                problem(at, "\(key): a {{ link }} cannot go in the mapping; put the link in the local template "
                            + "and write its tracked address here, e.g. \"https://s.example.cn/{{ link.token }}\"")
            case .text?, nil:
                break
            case let node?:
                problem(node.position, "\(key): expected a string")
            }
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
        var params: [(label: String, template: MessageTemplate, position: SourcePosition, limit: Int)] = []
        let paramsKey = self.paramsKey
        switch (self.params, entry.node[paramsKey]) {
        case (_, nil):
            break
        case (.list, .array(let items, _)?):
            for (index, item) in items.enumerated() {
                guard case .text(let template, let at) = item else {
                    problem(item.position, "\(paramsKey)[\(index)]: expected a string")
                    continue
                }
                params.append(("\(paramsKey)[\(index)]", template, at, maxLength))
            }
        case (.named, .object(let members, _)?):
            for member in members {
                guard case .text(let template, let at) = member.node else {
                    problem(member.node.position, "\(paramsKey).\(member.key): expected a string")
                    continue
                }
                var limit = maxLength
                if !fieldLimits.isEmpty {
                    let type = String(member.key.prefix { !$0.isNumber })
                    guard let typed = fieldLimits[type], member.key.dropFirst(type.count).allSatisfy(\.isNumber),
                          member.key.count > type.count else {
                        problem(member.node.position, "\(paramsKey).\(member.key): expected a field name as the template "
                                    + "shows it, a type and a number (\(fieldLimits.keys.sorted().joined(separator: ", "))"
                                    + ", e.g. thing1)")
                        continue
                    }
                    limit = min(typed, maxLength)
                }
                params.append(("\(paramsKey).\(member.key)", template, at, limit))
            }
        case (.list, let node?):
            problem(node.position, "\(paramsKey): expected a list of strings, filled into the template's variables in order")
        case (.named, let node?):
            problem(node.position, "\(paramsKey): expected an object of strings by the template's variable names")
        }
        let values = CatalogChecks.worstCaseValues(for: trigger, couponCodeLength: couponCodeLength)
        for param in params {
            if param.template.linkCount > 0 {
                problem(param.position, "\(param.label): a {{ link }} cannot go in a param; the provider refuses URLs "
                            + "in template params (\(source))")
                continue
            }
            let longest = param.template.render(values: values) { _, _ in "" }.body.count
            if longest > param.limit {
                problem(param.position, "\(param.label) can be \(longest) characters for trigger '\(trigger.id)' in "
                            + "the worst case; \(entry.provider) allows \(param.limit) here (\(source)); shorten it"
                            + (fieldLimits.isEmpty ? " or set \(Self.lengthOption) if the account allows more" : ""))
            }
        }
        return problems
    }
}
