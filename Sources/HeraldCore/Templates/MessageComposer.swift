/// Turns a template and a send's values into the message that leaves: tracked links,
/// the SMS signature and opt-out text, and the SMS segment count (SPEC 1.3).
public struct MessageComposer: Sendable {
    public let sms: SMSSettings
    /// `links.base`, ending in `/`; nil when the config has no `links`.
    public var linkBase: String?

    /// `sms.optOutPhrases`, computed once.
    private let optOutPhrases: [String]

    public init(sms: SMSSettings, links: LinkSettings?) {
        self.sms = sms
        optOutPhrases = sms.optOutPhrases
        self.linkBase = links.map { $0.base.hasSuffix("/") ? $0.base : $0.base + "/" }
    }

    public struct Message: Sendable, Equatable {
        public var title: String?
        public var text: String
        /// SMS only.
        public var segments: Int?
        public var linkTargets: [String]
        /// E-mail with an HTML template only.
        public var html: String? = nil
    }

    /// `firstLinkIndex`: the tracked index of the template's first link — a fallback's links
    /// are numbered after the primary message's, as the send keeps all their targets in order.
    public func compose(_ template: MessageTemplate, channel: ChannelKind, category: Trigger.Category,
                        values: [String: TemplateValue], linkToken: String, firstLinkIndex: Int = 1) -> Message {
        let link = { (_: String, index: Int) in trackedLink(token: linkToken, index: index + firstLinkIndex - 1) }
        let rendered = template.render(values: values, link: link)
        var text = rendered.body
        var segments: Int?
        if channel == .sms {
            text = decorateSMS(text, category: category)
            segments = SMSSegments(text).count
        }
        let html = channel == .email ? template.renderHTML(values: values, link: link) : nil
        return Message(title: rendered.title, text: text, segments: segments, linkTargets: template.linkTargets, html: html)
    }

    /// `<base><token>` for a template's first link, `<base><token>/<n>` for the n-th.
    public func trackedLink(token: String, index: Int) -> String {
        (linkBase ?? "") + token + (index > 1 ? "/\(index)" : "")
    }

    /// SPEC 1.3: the signature in front of every SMS (service too: carriers require it), and
    /// for marketing the opt-out at the end, each only when the text lacks it — any known
    /// opt-out wording counts (`SMSSettings.optOutPhrases`). The opt-out follows a space when the text ends in a
    /// link or Latin text, so the link stays clickable.
    public func decorateSMS(_ text: String, category: Trigger.Category) -> String {
        var decorated = text
        if let signature = sms.signature, !signature.isEmpty, !decorated.containsBytes(of: signature) {
            decorated = signature + decorated
        }
        guard category == .marketing else { return decorated }
        if let optOut = sms.optOut, !optOut.isEmpty,
           !optOutPhrases.contains(where: { decorated.containsBytes(of: $0) }) {
            let last = decorated.unicodeScalars.last
            let needsSpace = last.map { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "/") } ?? false
            decorated += (needsSpace ? " " : "") + optOut
        }
        return decorated
    }
}

extension String {
    /// Substring search on the UTF-8 bytes: the standard `contains(_:)` goes through the
    /// generic string-processing searcher, which profiling showed to be a third of an
    /// evaluation's Swift time when run once per planned SMS. Equal UTF-8 means equal text
    /// here (no normalisation: signatures are compared as written).
    func containsBytes(of needle: String) -> Bool {
        let pattern = Array(needle.utf8)
        guard let first = pattern.first else { return true }
        let bytes = Array(utf8)
        guard bytes.count >= pattern.count else { return false }
        for start in 0...(bytes.count - pattern.count) where bytes[start] == first {
            if bytes[start..<(start + pattern.count)].elementsEqual(pattern) { return true }
        }
        return false
    }
}
