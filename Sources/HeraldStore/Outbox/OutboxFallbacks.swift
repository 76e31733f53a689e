import HeraldCore

/// The `outbox.fallbacks` column: a send's renderings for later channels, as a JSON array
/// (`[{channel, kind, address, title, text, segments, provider_content, html}]`), NULL when there are none.
enum OutboxFallbacks {
    static func encode(_ fallbacks: [PlannedSend.Fallback]) -> String? {
        guard !fallbacks.isEmpty else { return nil }
        return JSONOutput.array(fallbacks.map { fallback in
            .object([
                ("channel", .string(fallback.channel)), ("kind", .string(fallback.channelKind.rawValue)),
                ("address", .string(fallback.address)), ("title", .optional(fallback.title)),
                ("text", .string(fallback.text)), ("segments", fallback.segments.map { .integer(Int64($0)) } ?? .null),
                ("provider_content", .optional(fallback.providerContent)), ("html", .optional(fallback.html)),
            ])
        }).rendered()
    }

    /// Herald wrote the column itself; anything unreadable counts as no fallback left.
    static func decode(_ text: String?) -> [PlannedSend.Fallback] {
        guard let text, let value = try? JSONParser.parse(text, dialect: .json), case .array(let items) = value.kind else {
            return []
        }
        return items.compactMap { item in
            guard let channel = item["channel"]?.stringValue, let kind = item["kind"]?.stringValue.flatMap(ChannelKind.init),
                  let address = item["address"]?.stringValue, let text = item["text"]?.stringValue else { return nil }
            var segments: Int?
            if case .number(let digits)? = item["segments"]?.kind { segments = Int(digits) }
            return PlannedSend.Fallback(channel: channel, channelKind: kind, address: address,
                                        title: item["title"]?.stringValue, text: text, segments: segments,
                                        providerContent: item["provider_content"]?.stringValue,
                                        html: item["html"]?.stringValue)
        }
    }
}
