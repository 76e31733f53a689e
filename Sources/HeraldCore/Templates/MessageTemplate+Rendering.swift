extension MessageTemplate {
    /// The rendered title (push / email) and body. `values` holds what the send supplies;
    /// `link(url, index)` gives the tracked link of the template's `index`-th link (1-based).
    public func render(values: [String: TemplateValue], link: (String, Int) -> String) -> (title: String?, body: String) {
        var linkIndex = 0
        func render(_ parts: [Part]) -> String {
            var output = ""
            for part in parts {
                switch part {
                case .text(let text):
                    output += text
                case .link(let url, _):
                    linkIndex += 1
                    output += link(url, linkIndex)
                case .placeholder(let placeholder):
                    let value = placeholder.filters.reduce(values[placeholder.path]) { $1.apply(to: $0) }
                    output += value?.plainText ?? ""
                }
            }
            return output
        }
        let title = self.title.map(render)
        return (title, render(body))
    }

    /// Every link target, in order (the redirector maps token and index back to them).
    public var linkTargets: [String] {
        ((title ?? []) + body).compactMap { if case .link(let url, _) = $0 { url } else { nil } }
    }
}
