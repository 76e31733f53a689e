extension MessageTemplate {
    /// The rendered title (push / email) and body. `values` holds what the send supplies;
    /// `link(url, index)` gives the tracked link of the template's `index`-th link (1-based).
    public func render(values: [String: TemplateValue], link: (String, Int) -> String) -> (title: String?, body: String) {
        var linkIndex = 0
        let title = self.title.map { Self.render($0, values: values, linkIndex: &linkIndex, link: link, escape: { $0 }) }
        let body = Self.render(body, values: values, linkIndex: &linkIndex, link: link, escape: { $0 })
        return (title, body)
    }

    /// The HTML rendering, nil without one: values HTML-escaped (a member's name cannot add
    /// markup), the template's own markup as written, links numbered after the text's.
    public func renderHTML(values: [String: TemplateValue], link: (String, Int) -> String) -> String? {
        guard let html else { return nil }
        var linkIndex = ((title ?? []) + body).count { if case .link = $0 { true } else { false } }
        return Self.render(html, values: values, linkIndex: &linkIndex, link: link, escape: HTMLText.escaped)
    }

    private static func render(_ parts: [Part], values: [String: TemplateValue], linkIndex: inout Int,
                               link: (String, Int) -> String, escape: (String) -> String) -> String {
        var output = ""
        for part in parts {
            switch part {
            case .text(let text):
                output += text
            case .link(let url, _):
                linkIndex += 1
                output += escape(link(url, linkIndex))
            case .placeholder(let placeholder):
                let value = placeholder.filters.reduce(values[placeholder.path]) { $1.apply(to: $0) }
                output += escape(value?.plainText ?? "")
            }
        }
        return output
    }

    /// Every link target, in order (the redirector maps token and index back to them).
    public var linkTargets: [String] {
        allParts.compactMap { if case .link(let url, _) = $0 { url } else { nil } }
    }
}
