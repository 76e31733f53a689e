import Foundation
import Testing
@testable import HeraldDelivery

/// What reaches the store and the log of a gateway's error body.
@Suite struct ErrorRedactorTests {
    @Test func secretsAddressesAndControlCharactersNeverPass() {
        let redactor = ErrorRedactor(secrets: ["s3cr3t-t0ken/AB", "abc"])
        let echoed = #"HTTP 400: {"headers":{"Authorization":"Bearer s3cr3t-t0ken\/AB"},"raw":"s3cr3t-t0ken/AB","#
            + #""to":"+8613812345678","alt":"138 1234 5678","mail":"zhang.san@example.cn"}"# + "\u{1B}[31m\u{07}"
        let reduced = redactor.reduce(echoed)
        #expect(!reduced.contains("s3cr3t"))
        #expect(reduced.components(separatedBy: "[secret]").count == 3)
        #expect(!reduced.contains("12345678") && reduced.contains("+86138****5678") && reduced.contains("138 **** 5678"))
        #expect(!reduced.contains("zhang.san") && reduced.contains("z***@example.cn"))
        #expect(!reduced.unicodeScalars.contains { $0.value < 0x20 })
        // Secrets shorter than 4 characters are not searched for (they would blank ordinary words).
        #expect(redactor.reduce("abcdef") == "abcdef")
    }

    @Test func controlCharactersCannotSplitANumberOrASecretPastTheRedactor() {
        let redactor = ErrorRedactor(secrets: ["s3cr3t-t0ken"])
        let reduced = redactor.reduce("138\t1234\t5678 / 138\u{0}1234\u{0}5678 / s3cr3t\n-t0ken")
        #expect(reduced == "138****5678 / 138****5678 / [secret]")
    }

    @Test func aSecretAfterAPageOfTextIsRedactedBeforeTheTextIsCut() {
        // The http adapter passes the whole body (up to the transport's 64 KiB): cutting it
        // first would leave half a secret behind.
        let body = String(repeating: "错", count: 250) + " Bearer Sup3rS3cretT0ken99 +8613312345678"
        guard case .permanent(let error, _) = HTTPChannel.classify(HTTPResponse(status: 400, body: Array(body.utf8)),
                                                                   now: Date()) else {
            Issue.record("a 400 is permanent")
            return
        }
        let reduced = ErrorRedactor(secrets: ["Sup3rS3cretT0ken99"]).reduce(error)
        #expect(!reduced.contains("Sup3r") && !reduced.contains("S3cret") && reduced.contains("[secret]"))
        #expect(reduced.contains("+86133****5678") && reduced.count <= ErrorRedactor.maximumLength)
    }

    @Test func longBodiesAreCut() {
        let reduced = ErrorRedactor().reduce("HTTP 500: " + String(repeating: "错", count: 10_000))
        #expect(reduced.count == ErrorRedactor.maximumLength && reduced.hasSuffix("…"))
    }

    @Test func ordinaryNumbersStay() {
        let text = "HTTP 503: code 40001, retry in 30 s, request 1735689600"
        #expect(ErrorRedactor().reduce(text) == text)
    }
}
