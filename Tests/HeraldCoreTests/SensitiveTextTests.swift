import Testing
import HeraldCore

/// Masking addresses and dropping control characters in free text (gateway errors, reject
/// messages, terminal output).
@Suite struct SensitiveTextTests {
    @Test func phoneNumbersAreMaskedInEveryCommonSpelling() {
        #expect(SensitiveText.masked("call 13812345678 now") == "call 138****5678 now")
        #expect(SensitiveText.masked("to=+8613812345678,") == "to=+86138****5678,")
        #expect(SensitiveText.masked("138 1234 5678 / 138-1234-5678") == "138 **** 5678 / 138-****-5678")
        #expect(SensitiveText.masked("intl +4915112345678") == "intl +49151****5678")
        #expect(SensitiveText.masked("tel:13812345678.") == "tel:138****5678.")
    }

    @Test func shortNumbersAndHexIdentifiersStay() {
        let text = "HTTP 503: code 40001 at 1735689600, key hk-78e6dc27328951a7e90fe7863ff01b2d, ¥12.30"
        #expect(SensitiveText.masked(text) == text)
        // Letters that are not hex make it no identifier: the number in it is masked.
        #expect(SensitiveText.masked("mobile13812345678") == "mobile138****5678")
    }

    @Test func emailAddressesKeepTheirFirstCharacterAndDomain() {
        #expect(SensitiveText.masked("from zhang.san@example.cn:") == "from z***@example.cn:")
        #expect(SensitiveText.masked("not@an address") == "not@an address")
        // A one-character local part is not shown as "its first character".
        #expect(SensitiveText.masked("from a@example.cn") == "from ***@example.cn")
        #expect(AddressMask.masked("a@example.cn", kind: .email) == "*@example.cn")
        #expect(AddressMask.masked("zhang@example.cn", kind: .email) == "z****@example.cn")
    }

    @Test func controlCharactersAreDropped() {
        #expect(SensitiveText.withoutControlCharacters("a\u{1B}[31mb\u{07}c\u{7F}\u{9B}d\te\nf") == "a[31mbcd\te\nf")
        #expect(SensitiveText.withoutControlCharacters("a\r\nb\tc", keepingNewlines: false) == "abc")
    }
}
