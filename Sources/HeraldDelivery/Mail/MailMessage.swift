import Foundation

/// One e-mail as it goes after `DATA` (RFC 5322 with MIME): headers with RFC 2047 encoded
/// words for anything not plain ASCII (Chinese subjects and names), a `Message-ID` made from
/// the send's idempotency key (a retry is the same message to the receiving server), and for
/// marketing mail `List-Unsubscribe` with RFC 8058's one-click `List-Unsubscribe-Post`.
///
/// The body is the text alone (`text/plain`), or `multipart/alternative` with the text and
/// an HTML rendering; each part UTF-8 in base64, lines of 76.
public struct MailMessage: Sendable {
    public var from: MailAddress
    public var to: String
    public var replyTo: String?
    public var subject: String
    public var text: String
    public var html: String?
    /// Without the angle brackets: `<key>@<the sender's domain>`.
    public var messageID: String
    public var date: Date
    /// The one-click unsubscribe URL (the edge's `/u/<token>`); nil for service mail.
    public var unsubscribeURL: String?

    public init(from: MailAddress, to: String, replyTo: String? = nil, subject: String, text: String, html: String? = nil,
                idempotencyKey: String, date: Date, unsubscribeURL: String? = nil) {
        self.from = from
        self.to = to
        self.replyTo = replyTo
        self.subject = subject
        self.text = text
        self.html = html
        let local = idempotencyKey.unicodeScalars.filter { $0.isASCII && ($0.properties.isAlphabetic
            || ("0"..."9").contains($0) || "-._".unicodeScalars.contains($0)) }
        messageID = "\(String(String.UnicodeScalarView(local)))@\(from.domain)"
        self.date = date
        self.unsubscribeURL = unsubscribeURL
    }

    /// Headers and body with CRLF line ends.
    public var rendered: [UInt8] {
        var headers = [
            "From: " + from.header,
            "To: <\(to)>",
            "Subject: " + Self.encodedWords(subject),
            "Date: " + Self.dateText(date),
            "Message-ID: <\(messageID)>",
            "MIME-Version: 1.0",
        ]
        if let replyTo { headers.append("Reply-To: <\(replyTo)>") }
        if let unsubscribeURL {
            headers.append("List-Unsubscribe: <\(unsubscribeURL)>")
            headers.append("List-Unsubscribe-Post: List-Unsubscribe=One-Click")
        }
        var lines = headers
        if let html {
            // The boundary cannot occur in base64 text (it holds "=_", which base64 never does).
            let boundary = "=_herald_\(messageID.prefix(24))"
            lines.append("Content-Type: multipart/alternative; boundary=\"\(boundary)\"")
            lines.append("")
            lines.append("--\(boundary)")
            lines += Self.part("text/plain", text)
            lines.append("--\(boundary)")
            lines += Self.part("text/html", html)
            lines.append("--\(boundary)--")
        } else {
            lines += Self.part("text/plain", text)
        }
        return Array((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }

    /// A part's headers, an empty line and its base64 body.
    private static func part(_ type: String, _ content: String) -> [String] {
        let encoded = Data(content.utf8).base64EncodedString()
        var body: [String] = []
        var index = encoded.startIndex
        while index < encoded.endIndex {
            let end = encoded.index(index, offsetBy: 76, limitedBy: encoded.endIndex) ?? encoded.endIndex
            body.append(String(encoded[index..<end]))
            index = end
        }
        return ["Content-Type: \(type); charset=utf-8", "Content-Transfer-Encoding: base64", ""] + body
    }

    /// `text` as it may stand in a header: unchanged when printable ASCII, else RFC 2047 encoded
    /// words (`=?UTF-8?B?…?=`, at most 75 characters each, never splitting a character),
    /// folded onto continuation lines. A line break in `text` cannot start a header of its own.
    /// `always`: encode printable ASCII too (a display name with `,` or `;` would otherwise read
    /// as several addresses).
    static func encodedWords(_ text: String, always: Bool = false) -> String {
        let isPlain = text.unicodeScalars.allSatisfy { $0.isASCII && $0.value >= 0x20 && $0.value != 0x7F }
        if isPlain && !text.contains("=?") && !always { return text }
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in text {
            let bytes = Array(String(character).utf8)
            // 45 bytes make 60 base64 characters: with "=?UTF-8?B?" and "?=", 72.
            if chunk.count + bytes.count > 45, !chunk.isEmpty {
                words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=") }
        return words.joined(separator: "\r\n ")
    }

    /// RFC 5322's date: `Sat, 28 Nov 2026 14:55:00 +0000`.
    static func dateText(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }
}
