/// User agents that fetch a link to show a preview or to scan it, not because a person
/// clicked: redirected like anyone, never counted. Matched case-insensitively as substrings.
///
/// WeChat and QQ open links in their own browsers (`MicroMessenger`, `QQ/`): those are people
/// and are counted; their preview fetchers identify as the bots below or as plain crawlers.
enum LinkPreviewAgents {
    static let markers = [
        "bot", "crawler", "spider", "preview", "facebookexternalhit", "whatsapp", "slack", "telegram", "discord",
        "skypeuripreview", "microsoft office", "outlook", "mimecast", "proofpoint", "barracuda", "symantec",
        "iframely", "embedly", "curl/", "wget/", "python-requests", "go-http-client",
    ]

    static func isPreview(userAgent: String?) -> Bool {
        guard let agent = userAgent?.lowercased(), !agent.isEmpty else { return false }
        return markers.contains { agent.contains($0) }
    }
}
