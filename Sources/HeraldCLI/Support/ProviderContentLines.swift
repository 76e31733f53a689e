import HeraldCore

/// A send's provider content (`outbox.provider_content`: what template-based providers get)
/// as lines for people: `tencent: template_id 1234567 · params 会员 | 99`.
enum ProviderContentLines {
    static func lines(_ content: String?) -> [String] {
        guard let content, let value = try? JSONParser.parse(content, dialect: .json), let providers = value.members
        else { return [] }
        return providers.map { provider in
            let parts = (provider.value.members ?? []).map { field -> String in
                switch field.value.kind {
                case .array(let items):
                    return "\(field.key) " + items.map { $0.stringValue ?? "" }.joined(separator: " | ")
                case .object(let members):
                    return "\(field.key) " + members.map { "\($0.key)=\($0.value.stringValue ?? "")" }
                        .joined(separator: " | ")
                default:
                    return "\(field.key) \(field.value.stringValue ?? JSONOutput(field.value).rendered())"
                }
            }
            return "\(provider.key): " + parts.joined(separator: " · ")
        }
    }
}
